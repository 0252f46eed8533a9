"""The deadline check: reminders at 50% and 80% of the time, `overdue` at the deadline with an
escalation to the executor's supervisor, and the overdue counters per executor; each action once per
case and stage, however often the schedule runs and however its runs overlap.

It reads only what is due: the sparse `by_deadline` index holds, for each case whose clock runs, the
time of its next stage. Taking a stage moves the case to its next stage's time (or out of the index),
so cost grows with the cases due, not with the cases open. A stage is taken under the case's version
condition, so of two overlapping runs one wins; the notices are recorded before that save under
webhook ids stable per assignment and stage, so neither the loser nor a run after a crash makes a
second delivery. Counters change in the same transaction as the case (see the repositories).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.domain.case import Case
from chalicelib.domain.deadline_clock import ESCALATED, OVERDUE_STAGE, Notice
from chalicelib.domain.deadline_watch import ExecutorCounters, take_stages
from chalicelib.observability import log, log_context
from chalicelib.services import deliveries
from chalicelib.services.deps import Dependencies

MAX_BATCHES = 20  # a run reads at most this many batches: a backlog is worked off, and the run ends in time


def check_deadlines(deps: Dependencies, batch: int = 100) -> dict[str, int]:
    """Take every stage that is due. A taken stage leaves the index's head, so the next read gets the next
    cases; a case that failed or lost a race stays there and is left to the next run, never read twice."""
    now = deps.clock()
    done: Counter[str] = Counter({"reminded": 0, "overdue": 0, "escalated": 0, "conflicts": 0, "failed": 0})
    seen: set[str] = set()
    for _ in range(MAX_BATCHES):
        due = deps.cases.due_before(now, limit=batch)
        fresh = [case for case in due if case.id not in seen]
        for case in fresh:
            seen.add(case.id)
            with log_context(case_id=case.id, correlation_id=case.correlation_id, step="deadlines"):
                _check_one(deps, case, now, done)
        if len(due) < batch or not fresh:
            break
    return dict(done)


def _check_one(deps: Dependencies, case: Case, now: datetime, done: Counter[str]) -> None:
    try:
        _check(deps, case, now, done)
    except Exception:  # one broken case must not hold up every other case's reminders; it is retried next run
        done["failed"] += 1
        log("deadline check failed", level=logging.ERROR, exc_info=True, executor_id=case.executor_id)


def _check(deps: Dependencies, case: Case, now: datetime, done: Counter[str]) -> None:
    executor = deps.executors.get(case.executor_id or "")
    stage, notices = take_stages(case, now, executor.supervisor if executor else None)
    if stage is None:
        return
    for notice in notices:  # before the save: a re-run finds these deliveries instead of making more
        deliveries.send_webhook(deps, case, notice.recipient, notice.event_type, notice_data(deps, case, notice),
                                key=f"{case.assignment_count}.{notice.key}")
    try:
        deps.cases.save(case)
    except ConcurrentUpdate:
        done["conflicts"] += 1  # another run took the stage, or the case changed: the next run looks again
        return
    kind = "overdue" if stage is OVERDUE_STAGE else "reminded"
    done[kind] += 1
    done["escalated"] += sum(1 for n in notices if n.event_type == ESCALATED)
    log("deadline stage taken", stage=stage.key, executor_id=case.executor_id)


def notice_data(deps: Dependencies, case: Case, notice: Notice) -> dict[str, Any]:
    """The webhook's `data`: which case, whose, when due, how far along, how many residents wait."""
    assert case.assignment is not None and case.clock is not None
    executor = deps.executors.get(case.assignment.executor_id)
    category = deps.rubricator.get(case.classification.category) if case.classification else None
    tz = executor.tz if executor else deps.region.tz
    data: dict[str, Any] = {
        "case_id": case.id, "stage": notice.key, "status": case.status.value, "overdue": case.overdue,
        "executor_id": case.assignment.executor_id, "executor_name": executor.name if executor else None,
        "category": category.id if category else None, "category_name": category.name if category else None,
        "municipality": case.municipality, "address": case.address,
        "assigned_at": case.clock.started_at.astimezone(tz).isoformat(),
        "deadline": case.assignment.deadline_at.astimezone(tz).isoformat(),
        "residents_affected": case.residents_affected,
    }
    if notice.event_type == ESCALATED:
        counters = deps.cases.overdue_counts([case.assignment.executor_id])[case.assignment.executor_id]
        data["executor_overdue_cases"] = counters.overdue_open + 1  # this case is counted with its save
    return data


def overdue_report(deps: Dependencies) -> list[ExecutorCounters]:
    """Overdue cases per executor of the region, most overdue first (for heads and dashboards)."""
    counts = deps.cases.overdue_counts(sorted(deps.executors))
    return sorted(counts.values(), key=lambda c: (-c.overdue_open, -c.overdue_total, c.executor_id))
