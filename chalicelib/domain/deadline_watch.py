"""What the deadline check does to one case, and what the per-executor overdue counters must show.

Plain Python over `Case` and its `DeadlineClock` (see deadline_clock.py for the stages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.case import Case
from chalicelib.domain.deadline_clock import ESCALATED, OVERDUE, OVERDUE_STAGE, REMINDER, Notice, Stage
from chalicelib.domain.statuses import OPEN_FOR_EXECUTOR


def clock_running(case: Case) -> bool:
    return case.assignment is not None and case.status in OPEN_FOR_EXECUTOR


def next_action_at(case: Case) -> datetime | None:
    """When the deadline check has something to do for the case (the sparse index's sort key)."""
    if case.clock is None or case.assignment is None or not clock_running(case):
        return None
    return case.clock.next_stage_at(case.assignment.deadline_at)


def take_stages(case: Case, now: datetime, supervisor: str | None) -> tuple[Stage | None, list[Notice]]:
    """Take the stages whose time has come: mark overdue, note it; return the notices to send."""
    if case.clock is None or case.assignment is None or not clock_running(case):
        return None, []
    stage = case.clock.take_due_stages(case.assignment.deadline_at, now)
    if stage is None:
        return None, []
    executor = case.assignment.executor_id
    if stage is OVERDUE_STAGE:
        case.overdue = True
        case.note(now, "overdue", "Срок ответа истёк", executor_id=executor,
                  deadline=case.assignment.deadline_at.isoformat())
        notices = [Notice(stage.key, OVERDUE, executor)]
        if supervisor:
            notices.append(Notice("escalated", ESCALATED, supervisor))
            case.note(now, "escalated", "Просрочка передана руководителю исполнителя", executor_id=executor,
                      supervisor=supervisor)
    else:
        case.note(now, "deadline_reminder", f"Напоминание исполнителю: прошло {stage.share:.0%} срока",
                  executor_id=executor, stage=stage.key)
        notices = [Notice(stage.key, REMINDER, executor)]
    return stage, notices


def overdue_holder(case: Case) -> str | None:
    """The executor whose count of overdue cases includes this case right now."""
    return case.executor_id if case.overdue and clock_running(case) else None


@dataclass(frozen=True)
class ExecutorCounters:
    executor_id: str
    overdue_open: int = 0
    overdue_total: int = 0


@dataclass(frozen=True)
class CounterChange:
    executor_id: str
    open: int  # overdue cases now (answered or reassigned ones leave it)
    total: int  # cases that ever went overdue with this executor


def counter_changes(case: Case) -> list[CounterChange]:
    """How the overdue counters change when the case is saved as it is now (from what it was)."""
    holder, counted = overdue_holder(case), case.overdue_counted_for
    changes: dict[str, list[int]] = {}
    if holder != counted:
        if counted:
            changes.setdefault(counted, [0, 0])[0] -= 1
        if holder:
            changes.setdefault(holder, [0, 0])[0] += 1
    for event in case.new_events:
        if event.kind == "overdue" and event.data.get("executor_id"):
            changes.setdefault(event.data["executor_id"], [0, 0])[1] += 1
    return [CounterChange(executor, open_, total) for executor, (open_, total) in changes.items()]
