"""Re-sending the messages of cases that wait for a step for too long, and the effects (letters,
callbacks) a save recorded but never sent (services.effects).

This is what makes "written but not enqueued" safe: the case says which step it waits for, and a
scheduled sweep finds the ones that have waited longer than the step's normal retries would take
(through the sparse `by_pending` index, never a scan). A case is re-sent a few times at most
(`MAX_STEP_RESENDS`); past that it leaves the sweep's part of the index, so it neither loops for ever
nor blocks the cases behind it, and the consistency check reports it to operators.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.observability import log, log_context
from chalicelib.services import effects
from chalicelib.services.deps import Dependencies
from chalicelib.services.pipeline import enqueue
from chalicelib.settings import PIPELINE_STEPS

# Longer than a message's visibility timeout times its receive count, so a message still being
# retried by SQS is not doubled.
STALE_AFTER = timedelta(minutes=15)


def sweep_pending(deps: Dependencies, stale_after: timedelta = STALE_AFTER, limit: int = 100) -> dict[str, int]:
    now = deps.clock()
    resent: dict[str, int] = {}
    for step in PIPELINE_STEPS:
        count = 0
        for case in deps.cases.waiting_since(step, now - stale_after, limit):
            with log_context(case_id=case.id, correlation_id=case.correlation_id, step=step):
                case.pending_since = now
                case.pending_sweeps += 1
                try:
                    deps.cases.save(case)
                except ConcurrentUpdate:
                    continue  # a worker is moving it right now
                enqueue(deps, case, step)
                log("stale step re-sent", sweeps=case.pending_sweeps)
                count += 1
        resent[step] = count
    resent[effects.OWED_STEP] = effects.sweep(deps)
    return resent
