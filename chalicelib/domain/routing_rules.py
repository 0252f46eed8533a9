"""Routing rules as operators load them, and the routing the system runs with them.

A rules document is `{"rules": [...], "executors": [...]}`: rules in the region's vocabulary (rubricator
category ids, sector ids, municipality ids, executor ids) and, optionally, executors the region file
does not have (say the ones `tsur routing suggest` proposes). `parse_document` checks it against the
region and the rubricator and names the rule or executor behind every error; nothing half-valid is
ever used. The region file's own `routing_rules` are a document too.

Plain Python: the stored copy (versioned, in DynamoDB) is the adapters' business.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.errors import DataErrors
from chalicelib.domain.region import Executor, Region, executor_from_data
from chalicelib.domain.routing import Router, RoutingRule
from chalicelib.domain.rubricator import Rubricator
from chalicelib.domain.sectors import SECTORS

RULE_FIELDS = {"id", "category", "sector", "municipality", "executor", "support", "share", "note"}
EXECUTOR_FIELDS = {"id", "name", "type", "territory", "supervisor", "timezone", "aliases", "proposed", "support",
                   "note"}
EXECUTOR_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
OPERATOR_RULE = "operator"
REOPENED_RULE = "reopened"


class RoutingRulesError(DataErrors):
    """A rules document's problems, each naming its rule or executor."""


@dataclass(frozen=True)
class RoutingSet:
    """A checked rules document."""

    rules: tuple[RoutingRule, ...]
    executors: tuple[Executor, ...]  # besides the region's own

    def to_document(self) -> dict[str, Any]:
        rules = [{k: v for k, v in (("id", r.id), ("category", r.category), ("sector", r.sector),
                                    ("municipality", r.municipality), ("executor", r.executor_id)) if v}
                 for r in self.rules]
        return {"rules": rules, "executors": [e.to_data() for e in self.executors]}


@dataclass(frozen=True)
class LoadedRouting:
    """The rules an operator loaded: the checked document, its version and who loaded it when."""

    document: dict[str, Any]
    version: int
    loaded_at: datetime
    loaded_by: str
    source: str = ""


@dataclass(frozen=True)
class ActiveRouting:
    """What routes cases now: the region with the loaded executors, and the router over the rules."""

    region: Region
    router: Router
    version: int | None = None  # None: the region file's own rules


def activate(routing: RoutingSet, region: Region, rubricator: Rubricator, version: int | None = None
             ) -> ActiveRouting:
    """The routing the system runs for a checked document (the same for the assign step and `tsur route`)."""
    full = region.with_executors(routing.executors)
    return ActiveRouting(full, Router.for_rubricator(routing.rules, full.executors.values(), rubricator), version)


def parse_document(document: Any, region: Region, rubricator: Rubricator) -> RoutingSet:
    """Check a rules document; RoutingRulesError lists every problem, each naming its rule or executor."""
    if not isinstance(document, Mapping):
        raise RoutingRulesError(["ожидается объект {\"rules\": [...], \"executors\": [...]}"])
    raw_rules = document.get("rules", document.get("routing_rules"))
    raw_executors = document.get("executors", [])
    errors: list[str] = []
    if not isinstance(raw_rules, list):
        errors.append("нет списка правил (\"rules\")")
        raw_rules = []
    if not isinstance(raw_executors, list):
        errors.append("\"executors\" должен быть списком")
        raw_executors = []
    executors = _Executors(region, errors).parse(raw_executors)
    known = {**region.executors, **{e.id: e for e in executors}}
    rules = _Rules(region, rubricator, known, errors).parse(raw_rules)
    if errors:
        raise RoutingRulesError(errors)
    return RoutingSet(tuple(rules), tuple(executors))


class _Executors:
    def __init__(self, region: Region, errors: list[str]) -> None:
        self.region, self.errors = region, errors

    def parse(self, raw: list[Any]) -> list[Executor]:
        found: dict[str, Executor] = {}
        for number, item in enumerate(raw, start=1):
            executor = self._one(number, item)
            if executor is None:
                continue
            if executor.id in found:
                self.errors.append(f"исполнитель «{executor.id}»: повторяется")
            found[executor.id] = executor
        names = set(found) | set(self.region.executors)
        for executor in found.values():
            if executor.supervisor and executor.supervisor not in names:
                self.errors.append(f"исполнитель «{executor.id}»: неизвестный руководитель «{executor.supervisor}»")
        return list(found.values())

    def _one(self, number: int, item: Any) -> Executor | None:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            self.errors.append(f"исполнитель №{number}: нужен объект с полем \"id\"")
            return None
        where = f"исполнитель «{item['id']}»"
        problems = [f"неизвестное поле «{k}»" for k in item if k not in EXECUTOR_FIELDS]
        problems += [f"нет поля «{k}»" for k in ("name", "type") if not isinstance(item.get(k), str) or not item[k]]
        problems += self._checks(item)
        if problems:
            self.errors.extend(f"{where}: {p}" for p in problems)
            return None
        executor = executor_from_data(item, self.region.timezone)
        existing = self.region.executors.get(executor.id)
        if existing is not None and existing != executor:
            self.errors.append(f"{where}: такой id уже есть в регионе ({existing.name})")
            return None
        return None if existing is not None else executor

    def _checks(self, item: Mapping[str, Any]) -> list[str]:
        problems = []
        if not EXECUTOR_ID.match(item["id"]):
            problems.append("id: латинские строчные буквы, цифры и «_», с буквы")
        territory = item.get("territory")
        if territory is not None and territory not in self.region.municipalities:
            problems.append(f"неизвестный район «{territory}»")
        if item.get("timezone") is not None and not _is_zone(item["timezone"]):
            problems.append(f"неизвестный часовой пояс «{item['timezone']}»")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append("aliases: список строк")
        return problems


def _is_zone(name: Any) -> bool:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class _Rules:
    def __init__(self, region: Region, rubricator: Rubricator, executors: Mapping[str, Executor],
                 errors: list[str]) -> None:
        self.region, self.rubricator, self.executors, self.errors = region, rubricator, executors, errors

    def parse(self, raw: list[Any]) -> list[RoutingRule]:
        rules: list[RoutingRule] = []
        ids: set[str] = set()
        conditions: dict[tuple[str | None, str | None, str | None], str] = {}
        for number, item in enumerate(raw, start=1):
            rule = self._one(number, item)
            if rule is None:
                continue
            where = f"правило «{rule.id}»"
            if rule.id in ids:
                self.errors.append(f"{where}: id повторяется")
            ids.add(rule.id)
            key = (rule.category, rule.sector, rule.municipality)
            if key in conditions:
                self.errors.append(f"{where}: те же условия, что у правила «{conditions[key]}»")
            conditions.setdefault(key, rule.id)
            rules.append(rule)
        if raw and (None, None, None) not in conditions:
            self.errors.append("нет правила для всего региона (правила без условий, например «region:fallback»)")
        return rules

    def _one(self, number: int, item: Any) -> RoutingRule | None:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str) or not item["id"]:
            self.errors.append(f"правило №{number}: нужен объект с полем \"id\"")
            return None
        problems = [f"неизвестное поле «{k}»" for k in item if k not in RULE_FIELDS] + self._checks(item)
        if problems:
            self.errors.extend(f"правило «{item['id']}»: {p}" for p in problems)
            return None
        return RoutingRule(id=item["id"], executor_id=item["executor"], category=item.get("category"),
                           sector=item.get("sector"), municipality=item.get("municipality"))

    def _checks(self, item: Mapping[str, Any]) -> list[str]:
        problems = []
        executor, category_id = item.get("executor"), item.get("category")
        if executor not in self.executors:
            problems.append(f"неизвестный исполнитель «{executor}»" if executor else "нет исполнителя (\"executor\")")
        category = self.rubricator.get(category_id) if category_id is not None else None
        if category_id is not None and category is None:
            problems.append(f"неизвестная тема «{category_id}» (нет в рубрикаторе)")
        sector = item.get("sector")
        if sector is not None and sector not in SECTORS:
            problems.append(f"неизвестный сектор «{sector}»")
        elif category is not None and sector is not None and category.sector != sector:
            problems.append(f"тема «{category_id}» относится к сектору «{category.sector}», а не «{sector}»")
        municipality = item.get("municipality")
        if municipality is not None and municipality not in self.region.municipalities:
            problems.append(f"неизвестный район «{municipality}»")
        return problems


def describe_rule(rule: RoutingRule, region: Region, rubricator: Rubricator) -> str:
    """The deciding rule in Russian, for the case's history: «Правило: по типу исполнителя (…) — Невский район»."""
    municipality = region.municipalities.get(rule.municipality or "")
    place = municipality.name if municipality else rule.municipality
    if rule.id == OPERATOR_RULE:
        return "Назначено оператором"
    if rule.id == REOPENED_RULE:
        return "Повторно тому же исполнителю"
    if rule.via_type:
        executor = region.executors.get(rule.executor_id)
        kind = executor.type_name if executor else rule.via_type
        return f"Правило: по типу исполнителя ({kind})" + (f" — {place}" if place else "")
    category = rubricator.get(rule.category or "")
    parts = [f"тема «{category.name if category else rule.category}»" if rule.category else "",
             f"сектор «{SECTORS.get(rule.sector, rule.sector)}»" if rule.sector else "", place or ""]
    return f"Правило «{rule.id}»: " + (", ".join(p for p in parts if p) or "для всего региона")
