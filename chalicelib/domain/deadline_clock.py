"""The deadline clock of one assignment: reminders, overdue and escalation, the pause, and the notices.

Plain Python. The clock starts when a case is assigned. At a share of the time from assignment to
deadline the executor is reminded (50%, 80%); at the deadline the case is overdue, the executor is
told and its supervisor hears of it. Each stage is taken once: `done` counts the stages taken and is
saved with the case under its version condition, so two overlapping checks cannot both take it.
Reminders that are already stale when a stage is taken (the check did not run for a while) are
skipped rather than sent late.

A stage produces notices: webhooks with an id stable per assignment and stage, so a check that
runs again after a crash, or alongside another, never makes a second delivery of the same notice.

While the resident is asked for a clarification the clock is paused; on resume, the start and the
deadline move by the paused time, so every stage keeps its share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

REMINDER = "case.deadline_reminder"
OVERDUE = "case.overdue"
ESCALATED = "case.escalated"


@dataclass(frozen=True)
class Stage:
    key: str  # also part of the notice's webhook-id, so letters, digits and dashes only
    share: float  # of the time from assignment to deadline


STAGES = (Stage("remind-50", 0.5), Stage("remind-80", 0.8), Stage("overdue", 1.0))
OVERDUE_STAGE = STAGES[-1]


@dataclass(frozen=True)
class Notice:
    """A webhook a stage sends: to the executor (reminder, overdue) or to its supervisor (escalation)."""

    key: str  # unique within an assignment: the stage, or "escalated"
    event_type: str
    recipient: str  # an executor id


@dataclass
class DeadlineClock:
    started_at: datetime
    done: int = 0  # stages taken
    paused_at: datetime | None = None
    paused_total: timedelta = timedelta(0)

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def stage_at(self, stage: Stage, deadline: datetime) -> datetime:
        return self.started_at + (deadline - self.started_at) * stage.share

    def next_stage_at(self, deadline: datetime) -> datetime | None:
        if self.paused or self.done >= len(STAGES):
            return None
        return self.stage_at(STAGES[self.done], deadline)

    def take_due_stages(self, deadline: datetime, now: datetime) -> Stage | None:
        """Take every stage whose time has come; the latest of them is the one that acts."""
        taken: Stage | None = None
        while (at := self.next_stage_at(deadline)) is not None and at <= now:
            taken = STAGES[self.done]
            self.done += 1
        return taken

    def pause(self, at: datetime) -> bool:
        if self.paused:
            return False
        self.paused_at = at
        return True

    def resume(self, at: datetime) -> timedelta:
        """Restart the clock; returns how long it stood still (the deadline moves by as much)."""
        if self.paused_at is None:
            return timedelta(0)
        paused = max(at - self.paused_at, timedelta(0))
        self.started_at += paused
        self.paused_total += paused
        self.paused_at = None
        return paused
