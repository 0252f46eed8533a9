"""Routing rules learnt from labelled history, and how well they route.

A label (the data's `reason`, or a rubricator category) becomes one rule naming the executor that
took most of its cases; where a territory's cases went to someone else, a rule for that label in that
territory says so (most specific first); the executor that took most cases overall is the region
fallback. A territory's few cases are weighed against the label's habit everywhere (`prior`: a
territory's executor scores its cases there plus `prior` times its share of the label overall), so one
odd case does not make a rule. The rules are the same data the Router reads, so `tsur route` dry-runs
exactly what the system would do.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.routing import NoRoute, Router, RoutingDecision

FALLBACK_ID = "region:fallback"


@dataclass(frozen=True)
class Example:
    label: str
    territory: str
    executor: str


def examples(rows: Iterable[Mapping[str, str]], label: str, territory: str, executor: str) -> Iterator[Example]:
    """Rows with a label and an executor (the territory may be empty: the region)."""
    for row in rows:
        if row.get(label) and row.get(executor):
            yield Example(row[label], row.get(territory) or "", row[executor])


def _top(counts: Counter[str]) -> str:
    """The most frequent executor (on a tie, the one seen first)."""
    return counts.most_common(1)[0][0]


def _local(counts: Counter[str], everywhere: Counter[str], prior: float) -> str:
    total = sum(everywhere.values())
    return max(everywhere, key=lambda e: counts[e] + prior * everywhere[e] / total)


def suggest(history: Iterable[Example], prior: float = 2.0) -> list[dict[str, Any]]:
    by_label: dict[str, Counter[str]] = defaultdict(Counter)
    by_pair: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    for ex in history:
        by_label[ex.label][ex.executor] += 1
        if ex.territory:
            by_pair[(ex.label, ex.territory)][ex.executor] += 1
        overall[ex.executor] += 1
    if not overall:
        return []
    rules = [_rule(label, None, counts) for label, counts in sorted(by_label.items())]
    label_executor = {r["category"]: r["executor"] for r in rules}
    for (label, territory), counts in sorted(by_pair.items()):
        local = _local(counts, by_label[label], prior)
        if local != label_executor[label]:
            rules.append(_rule(label, territory, counts, local))
    return [*rules, {"id": FALLBACK_ID, "executor": _top(overall), "support": sum(overall.values())}]


def _rule(label: str, territory: str | None, counts: Counter[str], executor: str | None = None) -> dict[str, Any]:
    executor, total = executor or _top(counts), sum(counts.values())
    rule: dict[str, Any] = {"id": f"{label} @ {territory}" if territory else label, "category": label}
    if territory:
        rule["municipality"] = territory
    return {**rule, "executor": executor, "support": total, "share": round(counts[executor] / total, 3)}


def router(rules: Iterable[Mapping[str, Any]]) -> Router:
    return Router.from_data(rules)


def route_one(routes: Router, label: str, territory: str) -> RoutingDecision | None:
    """The executor and the deciding rule; None when no rule applies."""
    try:
        return routes.route(label, "", territory or None)
    except NoRoute:
        return None


def level(decision: RoutingDecision | None) -> str:
    if decision is None:
        return "none"
    rule = decision.rule
    return "pair" if rule.category and rule.municipality else "label" if rule.category else "fallback"


@dataclass(frozen=True)
class Evaluation:
    rows: int
    lookup_right: int  # the true (territory, label) pair looked up in the training history
    rules_right: int
    decided_by: Counter[str]  # "pair", "label", "fallback", "none"

    def share(self, right: int) -> float:
        return right / self.rows if self.rows else 0.0


def evaluate(train: list[Example], test: list[Example], rules: list[dict[str, Any]]) -> Evaluation:
    lookup: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for ex in train:
        lookup[(ex.label, ex.territory)][ex.executor] += 1
    routes = router(rules)
    lookup_right = rules_right = 0
    decided: Counter[str] = Counter()
    for ex in test:
        known = lookup.get((ex.label, ex.territory))
        lookup_right += bool(known) and _top(known) == ex.executor  # type: ignore[arg-type]
        decision = route_one(routes, ex.label, ex.territory)
        rules_right += decision is not None and decision.executor_id == ex.executor
        decided[level(decision)] += 1
    return Evaluation(len(test), lookup_right, rules_right, decided)
