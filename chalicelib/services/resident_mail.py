"""Letters to the resident about the steps of their case, with the tracking link, through the mail queue.

A letter goes out at the steps that matter to the resident (`mail_kind`); each one also lists the other
public steps since the letter before (screened, classified, delivered to the executor, deadline paused…),
so the resident hears of every public step without five letters in the first minute.
Only the resident's own address is used; nothing else of the contact.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.statuses import STATUS_LABELS, Status
from chalicelib.observability import log, log_context
from chalicelib.services import mail
from chalicelib.services.deps import Dependencies
from chalicelib.services.mail import MailMessage

__all__ = ["MailMessage", "compose", "enqueue", "mail_kind", "send", "tracking_link"]

# A reopened case is assigned again at once, and that letter says so: no letter for `reopened` itself.
MAIL_ON_STATUS = {Status.ASSIGNED, Status.IN_PROGRESS, Status.LINKED, Status.CLARIFICATION, Status.CLOSED,
                  Status.REJECTED}
MAIL_ON_KIND = {"received", "interim_answer", "answer_published"}

TEMPLATES = {
    "received": "Ваше обращение принято и зарегистрировано под номером {id}.",
    "assigned": "Обращение передано исполнителю: {executor}. Срок ответа: {deadline}.",
    "in_progress": "Обращение в работе у исполнителя: {executor}. {note}. Срок ответа: {deadline}.",
    "linked": ("{note}. Ваше обращение присоединено к обращению о той же проблеме рядом: по ссылке ниже видно, "
               "как идёт работа по нему и какой дан ответ, а исполнитель видит, сколько жителей ждут решения."),
    "clarification": ("Исполнитель просит уточнить: «{note}».\nОтветьте на странице обращения в течение "
                      "{clarification_days} дней, иначе обращение будет закрыто."),
    "interim_answer": "Промежуточный ответ исполнителя:\n\n{note}",
    "answer_published": ("Получен ответ по вашему обращению:\n\n{note}\n\nОцените ответ на странице обращения. "
                         "Если проблема не решена, вы можете открыть обращение повторно."),
    "closed": "Обращение закрыто. {note}",
    "rejected": "Обращение отклонено: {note}",
}


def mail_kind(event: CaseEvent) -> str | None:
    """The letter a public event is worth, if any (the other public steps go into the next letter)."""
    if not event.public:
        return None
    if event.kind == "status" and event.to_status in MAIL_ON_STATUS:
        return event.to_status.value if event.to_status else None
    return event.kind if event.kind in MAIL_ON_KIND else None


def steps_since_last_letter(events: list[CaseEvent], kind: str, letter_at: datetime) -> list[CaseEvent]:
    """The public steps without a letter of their own between the letter before this one and this one
    (`events` in the order they happened: one save's events share their time)."""
    public = [e for e in events if e.public]
    here = next((i for i, e in enumerate(public) if e.at == letter_at and mail_kind(e) == kind), None)
    if here is None:
        return []
    before = max((i for i, e in enumerate(public[:here]) if mail_kind(e)), default=-1)
    return [e for e in public[before + 1:here] if mail_kind(e) is None]


def enqueue(deps: Dependencies, case: Case, kind: str, event: CaseEvent) -> None:
    mail.enqueue(deps, MailMessage(case_id=case.id, kind=kind, event_at=event.at.isoformat(), note=event.reason,
                                   correlation_id=case.correlation_id))


def send(deps: Dependencies, message: MailMessage) -> None:
    with log_context(case_id=message.case_id, correlation_id=message.correlation_id):
        case = deps.cases.get(message.case_id)
        if case is None or case.contact is None or not case.contact.email:
            return
        subject = f"Обращение № {case.id}: {STATUS_LABELS[case.status]}"
        key = f"mail:{message.case_id}:{message.kind}:{message.event_at}"
        steps = steps_since_last_letter(deps.cases.events(case.id), message.kind,
                                        datetime.fromisoformat(message.event_at))
        body = compose(deps, case, message.kind, message.note, steps)
        if mail.send_once(deps, key, case.contact.email, subject, body):
            log("letter sent", kind=message.kind)


def compose(deps: Dependencies, case: Case, kind: str, note: str, steps: list[CaseEvent] | None = None) -> str:
    executor = deps.executors.get(case.executor_id or "")
    deadline = case.assignment.deadline_at.astimezone(deps.region.tz) if case.assignment else None
    body = TEMPLATES.get(kind, "Статус обращения изменился: {status}.").format(
        id=case.id, executor=executor.name if executor else "—", note=note, status=STATUS_LABELS[case.status],
        deadline=deadline.strftime("%d.%m.%Y %H:%M") if deadline else "—",
        clarification_days=deps.settings.clarification_days)
    link = tracking_link(deps, case)
    return (f"Здравствуйте!\n\n{body}\n\n" + _steps(deps, steps or [])
            + (f"Следить за обращением: {link}\n\n" if link else "") + "Центр управления регионом")


def _steps(deps: Dependencies, steps: list[CaseEvent]) -> str:
    if not steps:
        return ""
    lines = [f"• {e.at.astimezone(deps.region.tz):%d.%m.%Y %H:%M} — {_step_label(e)}" for e in steps]
    return "Что ещё произошло с обращением:\n" + "\n".join(lines) + "\n\n"


def _step_label(event: CaseEvent) -> str:
    if event.kind == "status" and event.to_status is not None:
        label = STATUS_LABELS[event.to_status]
        return f"{label}: {event.reason}" if event.reason else label
    return event.reason


def tracking_link(deps: Dependencies, case: Case) -> str:
    base = deps.settings.tracking_page_url
    return f"{base}?id={case.id}&token={case.tracking_token}" if base and case.tracking_token else ""
