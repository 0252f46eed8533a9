"""The Russian production calendar: which days are working days.

The official calendar is data (chalicelib/data/production_calendar_ru.json): for each year, the
weekdays that are not worked (the holidays of art. 112 of the Labour Code and the days off moved by
the government's decree «О переносе выходных дней в … году») and the Saturdays that are worked
instead, plus the non-working days the President declared by decree (2020: 30 March – 11 May, 24 June,
1 July; 2021: 4–7 May, 1–3 November), which count as days off for deadlines.

A year whose decree is not published yet (`"decreed": false` in the data, or absent from it) is
provisional: only the Labour Code applies, its holidays, and a holiday outside January that falls on a
weekend moves the day off to the next working day (art. 112; the January ones move only by decree).
It is computed, never copied from another year.
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
    def __init__(self, days_off: Iterable[date], working_weekends: Iterable[date], years: Iterable[int],
                 non_working: Iterable[date] = ()) -> None:
        self._non_working = set(non_working)  # declared by the President: off, though not by the decree
        self._days_off = set(days_off) | self._non_working
        self._working_weekends = set(working_weekends)
        self._years = frozenset(years)
        self._fallback: dict[int, set[date]] = {}

    def covers(self, year: int) -> bool:
        """Whether the year's decree is in the data (otherwise the calendar is provisional: the Labour Code alone)."""
        return year in self._years

    def presidential_days_off(self, year: int) -> list[date]:
        """The non-working days the President declared in a year (weekdays the decree left working)."""
        return sorted(d for d in self._non_working if d.year == year)

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
        decreed = {y: v for y, v in raw["years"].items() if v.get("decreed", True)}

        def dates(key: str) -> list[date]:
            return [date.fromisoformat(d) for v in decreed.values() for d in v.get(key, [])]

        non_working = [date.fromisoformat(d) for v in decreed.values()
                       for d in v.get("non_working_days", {}).get("dates", [])]
        return cls(dates("days_off"), dates("working_weekends"), (int(y) for y in decreed), non_working)


@lru_cache(maxsize=1)
def russian_calendar() -> WorkCalendar:
    return WorkCalendar.from_data(json.loads(DATA_FILE.read_text(encoding="utf-8")))
