"""The rubricator: sectors → categories, each with its deadline rule and responsible executor type.

A region's rubricator is data (chalicelib/data/rubricator.json); this module loads and checks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.deadlines import DeadlineRule
from chalicelib.domain.sectors import SECTORS


class RubricatorError(ValueError):
    pass


@dataclass(frozen=True)
class Category:
    id: str
    sector: str
    name: str
    deadline: DeadlineRule
    executor_type: str
    keywords: tuple[str, ...] = ()

    @property
    def fast_track(self) -> bool:
        return self.deadline.hours is not None


class Rubricator:
    def __init__(self, categories: Iterable[Category]) -> None:
        self._categories: dict[str, Category] = {}
        for category in categories:
            if category.id in self._categories:
                raise RubricatorError(f"duplicate category id {category.id!r}")
            self._categories[category.id] = category

    def __len__(self) -> int:
        return len(self._categories)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._categories.values())

    def get(self, category_id: str) -> Category | None:
        return self._categories.get(category_id)

    def fallback_for(self, sector: str) -> Category:
        """The sector's catch-all category (`<sector>.other`), used when only the sector is known."""
        category = self._categories.get(f"{sector}.other")
        if category is None:
            raise RubricatorError(f"sector {sector!r} has no catch-all category {sector}.other")
        return category

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Rubricator:
        return cls(_parse_category(index, raw) for index, raw in enumerate(data["categories"], start=1))


def _parse_category(index: int, raw: Mapping[str, Any]) -> Category:
    where = f"category #{index} ({raw.get('id', '?')})"
    sector = raw.get("sector")
    if sector not in SECTORS:
        raise RubricatorError(f"{where}: unknown sector {sector!r}")
    if "deadline" not in raw:
        raise RubricatorError(f"{where}: no deadline")
    try:
        deadline = DeadlineRule.from_data(raw["deadline"])
    except ValueError as exc:
        raise RubricatorError(f"{where}: {exc}") from exc
    return Category(id=raw["id"], sector=sector, name=raw["name"], deadline=deadline,
                    executor_type=raw.get("executor_type", "district_administration"),
                    keywords=tuple(raw.get("keywords", ())))
