"""Deadline rules: hours for fast tracks, calendar or working days for the rest, never past 30 days.

Working days here skip Saturdays and Sundays only; the production calendar (holidays, transferred
days) is a later step of the routing-and-deadlines work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

LEGAL_MAXIMUM = timedelta(days=30)  # 59-ФЗ


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

    @classmethod
    def from_data(cls, raw: Mapping[str, Any]) -> DeadlineRule:
        return cls(days=raw.get("days"), hours=raw.get("hours"), working_days=bool(raw.get("working")))

    def due(self, start: datetime, tz: ZoneInfo) -> datetime:
        """When a case assigned at `start` (aware) is due, in the executor's time zone."""
        local = start.astimezone(tz)
        if self.hours is not None:
            due = local + timedelta(hours=self.hours)
        elif self.working_days:
            due = _add_working_days(local, self.days or 0)
        else:
            due = local + timedelta(days=self.days or 0)
        return min(due, local + LEGAL_MAXIMUM)

    def describe(self) -> str:
        if self.hours is not None:
            return f"{self.hours} ч"
        return f"{self.days} {'раб. дн.' if self.working_days else 'дн.'}"


def _add_working_days(start: datetime, days: int) -> datetime:
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
