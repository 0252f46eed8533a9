"""The mail queue: letters to residents about their cases, and alerts to the operators.

Letters go through their own queue, so a slow mail server never holds up a worker or an API call.
Each is sent at least once, and once only: a letter already sent (recorded under an idempotency key)
is not sent again when its message is redelivered.
"""

from __future__ import annotations

import logging
from typing import Final, Literal

from pydantic import BaseModel, Field

from chalicelib.observability import log
from chalicelib.services.deps import Dependencies

QUEUE = "mail"
Audience = Literal["resident", "operators"]
RESIDENT: Final = "resident"
OPERATORS: Final = "operators"


class MailMessage(BaseModel):
    case_id: str
    kind: str
    event_at: str
    note: str = ""  # the event's public text (personal data already masked)
    correlation_id: str = ""
    audience: Audience = RESIDENT  # the case's resident, or OPERATORS_ALERT_EMAIL
    data: dict[str, str] = Field(default_factory=dict)  # what an operators' alert is about (ids, never residents')


def enqueue(deps: Dependencies, message: MailMessage) -> None:
    """Queue the letter; raises if the queue refuses it (resident letters are then kept as owed effects)."""
    deps.queue.send(QUEUE, message.model_dump())


def enqueue_or_log(deps: Dependencies, message: MailMessage) -> None:
    """For operators' alerts, which the log's ALERT line and the consistency check also carry."""
    try:
        enqueue(deps, message)
    except Exception:
        log("mail enqueue failed", logging.WARNING, kind=message.kind, exc_info=True)


def send_once(deps: Dependencies, key: str, to: str, subject: str, body: str) -> bool:
    """Send the letter unless the one under `key` was sent already; whether it was sent now."""
    earlier = deps.idempotency.begin(key, QUEUE)
    if earlier is not None and earlier.response is not None:
        log("letter already sent", letter_key=key)
        return False
    deps.mailer.send(to, subject, body)
    deps.idempotency.complete(key, {"sent": True})
    return True


def consume(deps: Dependencies, message: MailMessage) -> None:
    """The mail queue's consumer: a letter to the resident or to the operators."""
    from chalicelib.services import operator_alerts, resident_mail  # they build on this module

    (operator_alerts.send if message.audience == OPERATORS else resident_mail.send)(deps, message)
