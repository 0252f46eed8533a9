"""What follows a saved change: the resident hears of the public steps that matter to them, the
executor of what concerns its work (an answer returned, the resident's clarification), and a post on
social media gets the published answer under it.

Durable as a transactional outbox: `owed_by` names what the change's events owe, the repository writes
that with the case in one transaction, `deliver` sends it after the save and then clears it, and
`sweep` sends what a crash or a refused send left behind. Each effect goes through a queue (a slow mail
server never holds up a worker or an API call) and is idempotent (a letter's key, a webhook's id), so
sending it again after a crash shows nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from chalicelib.batch.outbox import after_sent
from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.owed_effects import OWED_STEP, OwedEffects
from chalicelib.observability import log, log_context
from chalicelib.services import executor_events, resident_mail
from chalicelib.services.deps import Dependencies
from chalicelib.services.resident_mail import mail_kind

__all__ = ["OWED_STEP", "deliver", "mail_kind", "owed_by", "sweep"]
# Longer than the mail and notify queues' retries would take, so effects still on their way are not doubled.
STALE_AFTER = timedelta(minutes=15)


def owed_by(case: Case, now: datetime) -> OwedEffects | None:
    """What the case's new (unsaved) events owe; to be saved with them. None when they owe nothing."""
    events = tuple(e for e in case.new_events if _owes(case, e))
    return OwedEffects(case.id, case.version + 1, events, now) if events else None


def _owes(case: Case, event: CaseEvent) -> bool:
    return bool((mail_kind(event) and case.contact is not None and case.contact.email)
                or (event.kind in executor_events.KINDS and case.executor_id)
                or (event.kind == "answer_published" and case.social is not None))


def deliver(deps: Dependencies, case: Case, owed: OwedEffects | None) -> None:
    """Send what the saved change owed, then clear it (inside a batch, once the batch's sends went out).
    A failure leaves it for the sweeper; the change itself stands."""
    if owed is None:
        return
    try:
        _send(deps, case, owed.events)
    except Exception:
        log("effects not sent; the sweeper will send them", logging.WARNING, exc_info=True)
        return
    after_sent(lambda: deps.cases.settle(owed))


def sweep(deps: Dependencies, stale_after: timedelta = STALE_AFTER, limit: int = 100) -> int:
    """Send the effects left behind for longer than `stale_after`; how many were sent."""
    now = deps.clock()
    sent = 0
    for owed in deps.cases.owed_since(now - stale_after, limit):
        swept = owed.swept(now)
        deps.cases.keep_owed(swept)  # stamped first: a sweep that dies here does not spin on it
        with log_context(case_id=owed.case_id):
            sent += _resend(deps, swept)
    return sent


def _resend(deps: Dependencies, owed: OwedEffects) -> int:
    case = deps.cases.get(owed.case_id)
    try:
        if case is not None:
            _send(deps, case, owed.events)
    except Exception:
        if owed.given_up:
            log("ALERT effects given up; left to the operators", logging.ERROR, alert="effects_given_up",
                sweeps=owed.sweeps, exc_info=True)
        else:
            log("effects still not sent", logging.WARNING, sweeps=owed.sweeps, exc_info=True)
        return 0
    deps.cases.settle(owed)
    log("left-behind effects sent", sweeps=owed.sweeps, events=len(owed.events))
    return 1


def _send(deps: Dependencies, case: Case, events: tuple[CaseEvent, ...]) -> None:
    _reply_on_social_media(deps, case, events)
    executor_events.after_save(deps, case, list(events))
    if case.contact is None or not case.contact.email:
        return
    for event in events:
        kind = mail_kind(event)
        if kind:
            resident_mail.enqueue(deps, case, kind, event)


def _reply_on_social_media(deps: Dependencies, case: Case, events: tuple[CaseEvent, ...]) -> None:
    """A published answer to a case from social media also goes back under the resident's post."""
    if case.social is None:
        return
    from chalicelib.services import social  # social → intake → effects: imported when first needed

    for event in events:
        if event.kind == "answer_published":
            social.reply_to_source(deps, case, event.reason, event.data.get("answer_id"))
