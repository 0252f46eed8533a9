"""Deadline rules: hours for fast tracks, calendar or working days for the rest, never past 30 days.

Days are counted in the executor's own time zone on the Russian production calendar (holidays and
transferred working days included, see calendar.py). Hours run round the clock: a fast track does
not stop for a holiday. A term in calendar days that ends on a day off ends on the next working day
(art. 193 of the Civil Code), but no deadline goes past the legal term.

The legal term (59-ФЗ, art. 12) is 30 days from the registration of the appeal, not from its
assignment: `legal_term_end(received_at, paused)` is received + 30 days + the time the case waited for
the resident's clarification (the resident's time, not the executor's). A deadline counted from a late
assignment or a reassignment is cut to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.calendar import WorkCalendar, russian_calendar

LEGAL_MAXIMUM = timedelta(days=30)  # 59-ФЗ, art. 12: from the appeal's registration


def legal_term_end(received_at: datetime, resident_time: timedelta = timedelta(0)) -> datetime:
    """The last moment of the legal term: 30 days from receipt, extended by the resident's time."""
    return received_at + LEGAL_MAXIMUM + resident_time


@dataclass(frozen=True)
class DeadlineRule:
    days: int | None = None
    hours: int | None = None
    working_days: bool = False

    def __post_init__(self) -> None:
        if (self.days is None) == (self.hours is None):
            raise ValueError("a deadline needs exactly one of days or hours")
        amount = self.days if self.days is not None else self.hours
        if amount is None or amount <= 0:
            raise ValueError("a deadline must be positive")

    def span_days_at_least(self) -> float:
        """The fewest calendar days the rule can take (working days: five in every seven, no holidays)."""
        if self.hours is not None:
            return self.hours / 24
        days = self.days or 0
        return days + 2 * ((days - 1) // 5) if self.working_days else days

    @classmethod
    def from_data(cls, raw: Mapping[str, Any]) -> DeadlineRule:
        return cls(days=raw.get("days"), hours=raw.get("hours"), working_days=bool(raw.get("working")))

    def due(self, start: datetime, tz: ZoneInfo, calendar: WorkCalendar | None = None,
            cap: datetime | None = None) -> datetime:
        """When a case assigned at `start` (aware) is due, in the executor's time zone; never past `cap`,
        the case's legal term (`legal_term_end`; without one, 30 days from `start`)."""
        local = start.astimezone(tz)
        if self.hours is not None:
            due = local + timedelta(hours=self.hours)
        else:
            due = datetime.combine(self._due_day(local, calendar or russian_calendar()), local.timetz())
        return min(due, (cap or local + LEGAL_MAXIMUM).astimezone(tz))

    def _due_day(self, local: datetime, calendar: WorkCalendar) -> date:
        days = self.days or 0
        if self.working_days:
            return calendar.add_working_days(local.date(), days)
        return calendar.next_working_day((local + timedelta(days=days)).date())

    def describe(self) -> str:
        if self.hours is not None:
            return f"{self.hours} ч"
        return f"{self.days} {'раб. дн.' if self.working_days else 'дн.'}"

