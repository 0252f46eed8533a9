"""Routing: which executor answers a case of a given category in a given territory.

Rules are data. The most specific matching rule wins, in this order:

1. a rule for the category in the territory, then for the category anywhere;
2. the category's executor type (from the rubricator): the executor of that type for the territory
   (a district administration), or the one executor of that type for the whole region (a committee);
3. a rule for the sector in the territory, then for the sector anywhere;
4. a rule for the territory, then the region-level rule with no conditions: the fallback.

Step 2 keeps routing right when the rubricator changes its category ids: only exceptions need rules.
`route_category` is the one entry point the assign step, `tsur route` and `tsur routing evaluate` share:
the sector and the executor type come from the rubricator the router was built with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from chalicelib.domain.rubricator import Rubricator


class NoRoute(LookupError):
    pass


class TypedExecutor(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def territory(self) -> str | None: ...


@dataclass(frozen=True)
class RoutingRule:
    id: str
    executor_id: str
    category: str | None = None
    sector: str | None = None
    municipality: str | None = None
    via_type: str | None = None  # set on the rule the router makes for an executor type (step 2)

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
    def __init__(self, rules: Iterable[RoutingRule], executors: Iterable[TypedExecutor] = (),
                 category_types: Mapping[str, str] | None = None,
                 category_sectors: Mapping[str, str] | None = None) -> None:
        ordered = sorted(rules, key=lambda r: r.specificity, reverse=True)
        self._by_category: dict[str, list[RoutingRule]] = {}
        for rule in ordered:
            if rule.category:
                self._by_category.setdefault(rule.category, []).append(rule)
        self._rest = [r for r in ordered if not r.category]
        self._executors = list(executors)
        self._category_types = dict(category_types or {})
        self._category_sectors = dict(category_sectors or {})

    def route(self, category: str, sector: str, municipality: str | None,
              executor_type: str | None = None) -> RoutingDecision:
        """`executor_type` defaults to the one the router was given for the category, if any."""
        found = self._first(self._by_category.get(category, []), category, sector, municipality)
        found = found or self._by_type(executor_type or self._category_types.get(category), municipality)
        found = found or self._first(self._rest, category, sector, municipality)
        if found is None:
            raise NoRoute(f"no routing rule for {category} in {municipality or 'region'}")
        return found

    def route_category(self, category: str, municipality: str | None, sector: str | None = None) -> RoutingDecision:
        """Route a category of the rubricator the router was built with (its sector and executor type);
        `sector` is used only for a category the rubricator does not know."""
        return self.route(category, self._category_sectors.get(category) or sector or "", municipality)

    @staticmethod
    def _first(rules: list[RoutingRule], category: str, sector: str, municipality: str | None
               ) -> RoutingDecision | None:
        rule = next((r for r in rules if r.matches(category, sector, municipality)), None)
        return RoutingDecision(rule.executor_id, rule) if rule else None

    def _by_type(self, executor_type: str | None, municipality: str | None) -> RoutingDecision | None:
        if not executor_type:
            return None
        of_type = [e for e in self._executors if e.type == executor_type]
        local = [e for e in of_type if municipality and e.territory == municipality]
        regional = [e for e in of_type if e.territory is None]
        chosen = local or regional
        if len(chosen) != 1:
            return None
        where = f"@{municipality}" if local else ""
        rule = RoutingRule(f"type:{executor_type}{where}", chosen[0].id, municipality=municipality if local else None,
                           via_type=executor_type)
        return RoutingDecision(chosen[0].id, rule)

    @classmethod
    def from_data(cls, rules: Iterable[Mapping[str, Any]], executors: Iterable[TypedExecutor] = (),
                  category_types: Mapping[str, str] | None = None) -> Router:
        return cls(rules_from_data(rules), executors, category_types)

    @classmethod
    def for_rubricator(cls, rules: Iterable[RoutingRule], executors: Iterable[TypedExecutor],
                       rubricator: Rubricator) -> Router:
        """The router the system runs: rules, executors, and each category's executor type and sector."""
        return cls(rules, executors, {c.id: c.executor_type for c in rubricator},
                   {c.id: c.sector for c in rubricator})


def rules_from_data(rules: Iterable[Mapping[str, Any]]) -> list[RoutingRule]:
    return [RoutingRule(id=r["id"], executor_id=r["executor"], category=r.get("category"), sector=r.get("sector"),
                        municipality=r.get("municipality")) for r in rules]
