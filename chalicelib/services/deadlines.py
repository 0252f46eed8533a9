"""The deadline check: cases past their deadline are marked overdue, once each.

Reads only the cases that are due (the sparse `by_deadline` index holds open, not-yet-overdue
cases); marking a case overdue removes it from that index, so the next run does not read it again.
"""

from __future__ import annotations

from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.observability import log, log_context
from chalicelib.services.deps import Dependencies


def check_deadlines(deps: Dependencies, batch: int = 100) -> int:
    now = deps.clock()
    marked = 0
    for case in deps.cases.due_before(now, limit=batch):
        with log_context(case_id=case.id, correlation_id=case.correlation_id):
            case.overdue = True
            case.note(now, "overdue", "Срок ответа истёк", executor_id=case.executor_id)
            try:
                deps.cases.save(case)
            except ConcurrentUpdate:
                continue  # changed meanwhile; if still due, the next run sees it
            log("case overdue", executor_id=case.executor_id)
            marked += 1
    return marked
