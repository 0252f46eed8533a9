"""Running one pipeline step on one case, idempotently.

Each case records the step it waits for (`pending_step`). A step runs only while the case waits for
it, so a redelivered message changes nothing twice. The case is saved with a version condition; on a
conflict the step is re-run on the fresh case. After the save the next step's message is sent (with the
batch's others, at its end); if that send fails, the record goes back to SQS and its redelivery sends it
again, and if it is lost anyway the sweeper re-sends it (the case still says which step it waits for).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from itertools import pairwise

from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.api.schemas import StepMessage
from chalicelib.batch.outbox import redelivered
from chalicelib.domain.case import Case
from chalicelib.observability import log, log_context
from chalicelib.services import effects
from chalicelib.services.deps import Dependencies
from chalicelib.settings import PIPELINE_STEPS

Action = Callable[[Dependencies, Case, datetime], str | None]
CONFLICT_ATTEMPTS = 3


class CaseNotFound(LookupError):
    pass


class RetryLater(Exception):
    """The step could not finish now (say, the executor's endpoint is down); what it recorded is kept."""


def enqueue(deps: Dependencies, case: Case, step: str) -> None:
    message = StepMessage(case_id=case.id, correlation_id=case.correlation_id, step=step)
    try:
        deps.queue.send(step, message.model_dump())
    except Exception:
        log("enqueue failed; the sweeper will re-send it", logging.WARNING, next_step=step, exc_info=True)


def _already_done(deps: Dependencies, case: Case, step: str) -> None:
    """A redelivered message whose step is done: the send to the next step may be what failed (its record
    was reported to SQS for that), so that message goes again. Any other duplicate is ignored."""
    following = dict(pairwise(PIPELINE_STEPS)).get(step)
    if redelivered() and following is not None and case.pending_step == following:
        log("redelivered after the step; the next step's message sent again", next_step=case.pending_step)
        enqueue(deps, case, case.pending_step)
    else:
        log("step already done; message ignored", pending_step=case.pending_step)


def run_step(deps: Dependencies, message: StepMessage, step: str, action: Action) -> None:
    with log_context(case_id=message.case_id, correlation_id=message.correlation_id, step=step):
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                _run_once(deps, message.case_id, step, action)
                return
            except ConcurrentUpdate:
                if attempt == CONFLICT_ATTEMPTS:
                    raise
                log("case changed meanwhile; re-running the step", attempt=attempt)


def _run_once(deps: Dependencies, case_id: str, step: str, action: Action) -> None:
    case = deps.cases.get(case_id)
    if case is None:
        raise CaseNotFound(case_id)
    if not case.is_waiting_for(step):
        _already_done(deps, case, step)
        return
    now = deps.clock()
    try:
        next_step = action(deps, case, now)
    except RetryLater:
        deps.cases.save(case)  # keep the record of the failed attempt, then let SQS retry
        raise
    case.await_step(next_step, now)
    owed = effects.owed_by(case, now)
    deps.cases.save(case, owed)
    log("step done", status=case.status.value, next_step=next_step)
    if next_step:
        enqueue(deps, case, next_step)
    effects.deliver(deps, case, owed)
