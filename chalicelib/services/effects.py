"""What follows a saved change: the resident hears of the public steps that matter to them, and the
executor of what concerns its work (an answer returned, the resident's clarification).

Called after every save of a case with the events that save recorded. Each effect goes through a
queue, so a slow mail server never holds up a worker or an API call.
"""

from __future__ import annotations

from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.statuses import Status
from chalicelib.services import executor_events, resident_mail
from chalicelib.services.deps import Dependencies

# A reopened case is assigned again at once, and that letter says so: no letter for `reopened` itself.
MAIL_ON_STATUS = {Status.ASSIGNED, Status.IN_PROGRESS, Status.LINKED, Status.CLARIFICATION, Status.CLOSED,
                  Status.REJECTED}
MAIL_ON_KIND = {"received", "interim_answer", "answer_published"}


def mail_kind(event: CaseEvent) -> str | None:
    if not event.public:
        return None
    if event.kind == "status" and event.to_status in MAIL_ON_STATUS:
        return event.to_status.value if event.to_status else None
    return event.kind if event.kind in MAIL_ON_KIND else None


def after_save(deps: Dependencies, case: Case, events: list[CaseEvent]) -> None:
    _reply_on_social_media(deps, case, events)
    executor_events.after_save(deps, case, events)
    if case.contact is None or not case.contact.email:
        return
    for event in events:
        kind = mail_kind(event)
        if kind:
            resident_mail.enqueue(deps, case, kind, event)


def _reply_on_social_media(deps: Dependencies, case: Case, events: list[CaseEvent]) -> None:
    """A published answer to a case from social media also goes back under the resident's post."""
    if case.social is None:
        return
    from chalicelib.services import social  # social → intake → effects: imported when first needed

    for event in events:
        if event.kind == "answer_published":
            social.reply_to_source(deps, case, event.reason)
