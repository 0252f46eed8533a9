"""The rubricator: sectors → categories, each with its deadline, fast-track flag, executor type and examples.

A region's rubricator is data: a JSON Lines file (chalicelib/data/rubricator.jsonl by default), one
category per line, so that every error names its line. Blank lines and lines starting with "#" are
skipped; a line with a "rubricator" key is the header. A category line:

    {"id": "roads.pothole", "sector": "roads", "name": "Ямы…", "deadline": {"days": 10},
     "executor_type": "roads_committee", "labels": ["…"], "examples": ["…"]}

`deadline` is {"days": N} (calendar), {"days": N, "working": true} or {"hours": N}; hours mean a fast
track, and `"fast_track": true` must say so. `labels` are the source labels of a region's history
(say the portal's `reason`) that mean this category: the classifier is trained on them and maps them
here. `examples` are typical phrasings and `keywords` words or short phrases that mark the category;
both train the classifier too, which is how categories with no history (no labels) are learnt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.deadlines import LEGAL_MAXIMUM, DeadlineRule
from chalicelib.domain.errors import DataErrors
from chalicelib.domain.sectors import SECTORS

_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$")
_FIELDS = {"id", "sector", "name", "deadline", "fast_track", "executor_type", "labels", "examples", "keywords"}
_REQUIRED = ("id", "sector", "name", "deadline", "executor_type")


class RubricatorError(DataErrors):
    """A rubricator file's problems, each with its line."""


@dataclass(frozen=True)
class Category:
    id: str
    sector: str
    name: str
    deadline: DeadlineRule
    executor_type: str = "district_administration"
    labels: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @property
    def fast_track(self) -> bool:
        return self.deadline.hours is not None

    @property
    def is_catch_all(self) -> bool:
        return self.id == f"{self.sector}.other"


class Rubricator:
    def __init__(self, categories: Iterable[Category]) -> None:
        self._categories: dict[str, Category] = {}
        self._by_label: dict[str, Category] = {}
        for category in categories:
            if category.id in self._categories:
                raise RubricatorError([f"duplicate category id {category.id!r}"])
            self._categories[category.id] = category
            self._by_label.update((label, category) for label in category.labels)

    def __len__(self) -> int:
        return len(self._categories)

    def __iter__(self) -> Iterator[Category]:
        return iter(self._categories.values())

    def get(self, category_id: str) -> Category | None:
        return self._categories.get(category_id)

    def for_label(self, label: str) -> Category | None:
        """The category a model label stands for: a category id, or a source label mapped to one."""
        return self._categories.get(label) or self._by_label.get(label)

    def fallback_for(self, sector: str) -> Category:
        """The sector's catch-all category (`<sector>.other`), used when only the sector is known."""
        category = self._categories.get(f"{sector}.other")
        if category is None:
            raise RubricatorError([f"sector {sector!r} has no catch-all category {sector}.other"])
        return category

    @classmethod
    def from_jsonl(cls, text: str, source: str = "rubricator") -> Rubricator:
        """Parse and check a rubricator; RubricatorError lists every problem with its line."""
        parser = _Parser(source)
        for number, line in enumerate(text.splitlines(), start=1):
            parser.line(number, line)
        if parser.errors:
            raise RubricatorError(parser.errors)
        if not parser.categories:
            raise RubricatorError([f"{source}: no categories"])
        return cls(parser.categories)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.categories: list[Category] = []
        self.errors: list[str] = []
        self._ids: dict[str, int] = {}
        self._labels: dict[str, int] = {}

    def line(self, number: int, line: str) -> None:
        if not line.strip() or line.lstrip().startswith("#"):
            return
        where = f"{self.source}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            self.errors.append(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})")
            return
        if not isinstance(raw, dict):
            self.errors.append(f"{where}: expected an object {{…}}")
            return
        if "rubricator" in raw:
            return  # the header
        problems = _problems(raw) or self._conflicts(raw, number)
        if problems:
            label = f" ({raw['id']})" if isinstance(raw.get("id"), str) else ""
            self.errors.extend(f"{where}{label}: {problem}" for problem in problems)
            return
        self.categories.append(_category(raw))

    def _conflicts(self, raw: Mapping[str, Any], number: int) -> list[str]:
        problems = []
        first = self._ids.setdefault(raw["id"], number)
        if first != number:
            problems.append(f"duplicate category id {raw['id']!r} (first on line {first})")
        for label in raw.get("labels", ()):
            first = self._labels.setdefault(label, number)
            if first != number:
                problems.append(f"label {label!r} is already mapped on line {first}")
        return problems


def _problems(raw: Mapping[str, Any]) -> list[str]:
    problems = [f"unknown field {key!r}" for key in raw if key not in _FIELDS]
    problems += [f"missing {key!r}" for key in _REQUIRED if key not in raw]
    if problems:
        return problems
    category_id, sector = raw["id"], raw["sector"]
    if sector not in SECTORS:
        problems.append(f"unknown sector {sector!r} (known: {', '.join(SECTORS)})")
    if not isinstance(category_id, str) or not _ID.match(category_id):
        problems.append(f"id {category_id!r} must look like <sector>.<name> in lower-case latin letters")
    elif category_id.split(".")[0] != sector:
        problems.append(f"id {category_id!r} must start with its sector {sector!r}")
    for key in ("name", "executor_type"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            problems.append(f"{key!r} must be a non-empty string")
    for key in ("labels", "examples", "keywords"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(f"{key!r} must be a list of non-empty strings")
    return problems + _deadline_problems(raw)


def _deadline_problems(raw: Mapping[str, Any]) -> list[str]:
    deadline = raw["deadline"]
    if not isinstance(deadline, dict) or set(deadline) - {"days", "hours", "working"}:
        return ['deadline must be {"days": N}, {"days": N, "working": true} or {"hours": N}']
    amounts = [deadline.get(k) for k in ("days", "hours") if k in deadline]
    if any(not isinstance(a, int) or isinstance(a, bool) for a in amounts):
        return ["deadline: days and hours must be whole numbers"]
    try:
        rule = DeadlineRule.from_data(deadline)
    except ValueError as exc:
        return [f"deadline: {exc}"]
    if rule.span_days_at_least() > LEGAL_MAXIMUM.days:
        return [f"deadline: {rule.describe()} is past the legal {LEGAL_MAXIMUM.days} days (59-ФЗ)"]
    fast_track = raw.get("fast_track", False)
    if not isinstance(fast_track, bool):
        return ["fast_track must be true or false"]
    if fast_track != (rule.hours is not None):
        return ["a fast track has its deadline in hours, and a deadline in hours is a fast track "
                '(set "fast_track": true with {"hours": N})']
    return []


def _category(raw: Mapping[str, Any]) -> Category:
    return Category(id=raw["id"], sector=raw["sector"], name=raw["name"].strip(),
                    deadline=DeadlineRule.from_data(raw["deadline"]), executor_type=raw["executor_type"],
                    labels=tuple(raw.get("labels", ())), examples=tuple(raw.get("examples", ())),
                    keywords=tuple(raw.get("keywords", ())))
