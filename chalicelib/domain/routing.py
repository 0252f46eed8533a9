"""Routing: which executor answers a case of a given category in a given territory.

Rules are data. The most specific matching rule wins (category beats sector beats any; a named
municipality beats the whole region); a region-level rule with no conditions is the fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class NoRoute(LookupError):
    pass


@dataclass(frozen=True)
class RoutingRule:
    id: str
    executor_id: str
    category: str | None = None
    sector: str | None = None
    municipality: str | None = None

    def matches(self, category: str, sector: str, municipality: str | None) -> bool:
        return ((self.category is None or self.category == category)
                and (self.sector is None or self.sector == sector)
                and (self.municipality is None or self.municipality == municipality))

    @property
    def specificity(self) -> tuple[int, int]:
        subject = 2 if self.category else 1 if self.sector else 0
        return (subject, 1 if self.municipality else 0)


@dataclass(frozen=True)
class RoutingDecision:
    executor_id: str
    rule: RoutingRule


class Router:
    def __init__(self, rules: Iterable[RoutingRule]) -> None:
        self._rules = sorted(rules, key=lambda r: r.specificity, reverse=True)

    def route(self, category: str, sector: str, municipality: str | None) -> RoutingDecision:
        for rule in self._rules:
            if rule.matches(category, sector, municipality):
                return RoutingDecision(rule.executor_id, rule)
        raise NoRoute(f"no routing rule for {category} in {municipality or 'region'}")

    @classmethod
    def from_data(cls, rules: Iterable[Mapping[str, Any]]) -> Router:
        return cls(RoutingRule(id=r["id"], executor_id=r["executor"], category=r.get("category"),
                               sector=r.get("sector"), municipality=r.get("municipality")) for r in rules)
