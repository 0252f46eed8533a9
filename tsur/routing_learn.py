"""Routing rules learnt from labelled history, and how well they route.

A label (a rubricator category once resolved into the region's vocabulary, or the data's own
`reason`) becomes one rule naming the executor that took most of its cases; where a territory's cases
went to someone else, a rule for that label in that territory says so (most specific first); the
executor that took most cases overall is the region fallback. A territory's few cases are weighed
against the label's habit everywhere (`prior`: a territory's executor scores its cases there plus
`prior` times its share of the label overall), so one odd case does not make a rule.

In the region's vocabulary the learner also knows each executor's type and territory (`Locality`).
When a label's cases go to each district's *own* executor of a type (its housing agency, its
administration), that habit counts for the district's own executor of that type too, so a district
with few cases of the label still gets its own agency rather than the busiest district's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.domain.routing import NoRoute, Router, RoutingDecision

FALLBACK_ID = "region:fallback"


@dataclass(frozen=True)
class Example:
    label: str
    territory: str
    executor: str


class Locality(Protocol):
    def local_type(self, executor: str, territory: str) -> str | None:
        """The executor's type if it is the territory's own executor of that type."""

    def local(self, executor_type: str, territory: str) -> str | None:
        """The territory's own executor of a type."""


def examples(rows: Iterable[Mapping[str, str]], label: str, territory: str, executor: str) -> Iterator[Example]:
    """Rows with a label and an executor (the territory may be empty: the region)."""
    for row in rows:
        if row.get(label) and row.get(executor):
            yield Example(row[label], row.get(territory) or "", row[executor])


def _top(counts: Counter[str]) -> str:
    """The most frequent executor (on a tie, the one seen first)."""
    return counts.most_common(1)[0][0]


class _History:
    def __init__(self, history: Iterable[Example], locality: Locality | None) -> None:
        self.by_label: dict[str, Counter[str]] = defaultdict(Counter)
        self.by_pair: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.own_type: dict[str, Counter[str]] = defaultdict(Counter)  # label → cases that went to a local type
        self.overall: Counter[str] = Counter()
        for ex in history:
            self.by_label[ex.label][ex.executor] += 1
            self.overall[ex.executor] += 1
            if ex.territory:
                self.by_pair[(ex.label, ex.territory)][ex.executor] += 1
                kind = locality.local_type(ex.executor, ex.territory) if locality else None
                if kind:
                    self.own_type[ex.label][kind] += 1
        self.territories = sorted({t for _, t in self.by_pair})
        self.locality = locality

    def local_choice(self, label: str, territory: str, prior: float) -> str:
        everywhere, here = self.by_label[label], self.by_pair.get((label, territory), Counter())
        total = sum(everywhere.values())
        scores = {e: here[e] + prior * n / total for e, n in everywhere.items()}
        for kind, n in self.own_type[label].items():
            own = self.locality.local(kind, territory) if self.locality else None
            if own:
                scores[own] = here[own] + prior * n / total
        return max(scores, key=lambda e: scores[e])


def suggest(history: Iterable[Example], prior: float = 2.0, locality: Locality | None = None) -> list[dict[str, Any]]:
    seen = _History(history, locality)
    if not seen.overall:
        return []
    rules = [_rule(label, None, counts) for label, counts in sorted(seen.by_label.items())]
    label_executor = {r["category"]: r["executor"] for r in rules}
    places = seen.territories if locality else None  # with types known, every district may have its own
    for label in sorted(seen.by_label):
        for territory in places or sorted(t for lbl, t in seen.by_pair if lbl == label):
            local = seen.local_choice(label, territory, prior)
            if local != label_executor[label]:
                rules.append(_rule(label, territory, seen.by_pair.get((label, territory), Counter()), local))
    return [*rules, {"id": FALLBACK_ID, "executor": _top(seen.overall), "support": sum(seen.overall.values())}]


def _rule(label: str, territory: str | None, counts: Counter[str], executor: str | None = None) -> dict[str, Any]:
    executor, total = executor or _top(counts), sum(counts.values())
    rule: dict[str, Any] = {"id": f"{label} @ {territory}" if territory else label, "category": label}
    if territory:
        rule["municipality"] = territory
    share = round(counts[executor] / total, 3) if total else None
    return {**rule, "executor": executor, "support": total, **({"share": share} if share is not None else {})}


def router(rules: Iterable[Mapping[str, Any]]) -> Router:
    """A router over rules in the data's own vocabulary (labels, names): for `--vocabulary data` only."""
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
    if rule.via_type:
        return "executor type"
    if rule.category:
        return "pair" if rule.municipality else "label"
    return "sector" if rule.sector else "fallback"


@dataclass(frozen=True)
class Evaluation:
    rows: int
    lookup_right: int  # the true (territory, label) pair looked up in the training history
    rules_right: int
    decided_by: Counter[str]  # "pair", "label", "executor type", "sector", "fallback", "none"

    def share(self, right: int) -> float:
        return right / self.rows if self.rows else 0.0


Decide = Callable[[Example], tuple[RoutingDecision | None, str]]  # the decision, and the executor it must name


def evaluate(train: list[Example], test: list[Example], rules: list[dict[str, Any]] | None = None,
             decide: Decide | None = None) -> Evaluation:
    """The lookup of each test case's true (territory, label) pair in `train`, beside the routing: by
    `decide` (say the system's router over resolved rules) or, without it, by `rules` as they are."""
    lookup: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for ex in train:
        lookup[(ex.label, ex.territory)][ex.executor] += 1
    if decide is None:
        routes = router(rules or [])
        decide = lambda ex: (route_one(routes, ex.label, ex.territory), ex.executor)  # noqa: E731
    lookup_right = rules_right = 0
    decided: Counter[str] = Counter()
    for ex in test:
        known = lookup.get((ex.label, ex.territory))
        lookup_right += bool(known) and _top(known) == ex.executor  # type: ignore[arg-type]
        decision, truth = decide(ex)
        rules_right += decision is not None and decision.executor_id == truth
        decided[level(decision)] += 1
    return Evaluation(len(test), lookup_right, rules_right, decided)
