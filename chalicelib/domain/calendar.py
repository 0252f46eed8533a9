"""The Russian production calendar: which days are working days.

The official calendar is data (chalicelib/data/production_calendar_ru.json): for each year, the
weekdays that are not worked (the holidays of art. 112 of the Labour Code and the days off moved by
the government's decree «О переносе выходных дней в … году») and the Saturdays that are worked
instead. A year without a decree yet falls back to the Labour Code alone: its holidays, and a
holiday outside January that falls on a weekend moves to the next working day.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "production_calendar_ru.json"
# Art. 112 of the Labour Code: (month, day) of the non-working holidays.
NEW_YEAR_HOLIDAYS = tuple((1, d) for d in range(1, 9))
OTHER_HOLIDAYS = ((2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4))
ONE_DAY = timedelta(days=1)


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def statutory_days_off(year: int) -> set[date]:
    """Weekdays off by the Labour Code alone, for a year the calendar has no decree for."""
    off = {date(year, m, d) for m, d in NEW_YEAR_HOLIDAYS if not _is_weekend(date(year, m, d))}
    for month, day in OTHER_HOLIDAYS:
        moved = date(year, month, day)
        if not _is_weekend(moved):
            off.add(moved)
            continue
        while _is_weekend(moved) or moved in off:
            moved += ONE_DAY
        off.add(moved)
    return off


class WorkCalendar:
    def __init__(self, days_off: Iterable[date], working_weekends: Iterable[date], years: Iterable[int]) -> None:
        self._days_off = set(days_off)
        self._working_weekends = set(working_weekends)
        self._years = frozenset(years)
        self._fallback: dict[int, set[date]] = {}

    def covers(self, year: int) -> bool:
        """Whether the year's decree is in the data (otherwise the Labour Code alone is applied)."""
        return year in self._years

    def is_working_day(self, day: date) -> bool:
        if not self.covers(day.year):
            return not _is_weekend(day) and day not in self._statutory(day.year)
        if _is_weekend(day):
            return day in self._working_weekends
        return day not in self._days_off

    def _statutory(self, year: int) -> set[date]:
        if year not in self._fallback:
            self._fallback[year] = statutory_days_off(year)
        return self._fallback[year]

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself is not counted)."""
        left = count
        while left > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_in(self, year: int) -> int:
        first, last = date(year, 1, 1), date(year, 12, 31)
        return sum(1 for n in range((last - first).days + 1) if self.is_working_day(first + timedelta(days=n)))

    @classmethod
    def from_data(cls, raw: Mapping[str, Any]) -> WorkCalendar:
        years = raw["years"]
        days_off = [date.fromisoformat(d) for y in years.values() for d in y["days_off"]]
        working = [date.fromisoformat(d) for y in years.values() for d in y["working_weekends"]]
        return cls(days_off, working, (int(y) for y in years))


@lru_cache(maxsize=1)
def russian_calendar() -> WorkCalendar:
    return WorkCalendar.from_data(json.loads(DATA_FILE.read_text(encoding="utf-8")))
