"""Letters to the resident about the steps of their case, with the tracking link, through the mail queue.

Only the resident's own address is used; nothing else of the contact.
"""

from __future__ import annotations

from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.statuses import STATUS_LABELS
from chalicelib.observability import log, log_context
from chalicelib.services import mail
from chalicelib.services.deps import Dependencies
from chalicelib.services.mail import MailMessage

__all__ = ["MailMessage", "compose", "enqueue", "send", "tracking_link"]

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
        if mail.send_once(deps, key, case.contact.email, subject, compose(deps, case, message.kind, message.note)):
            log("letter sent", kind=message.kind)


def compose(deps: Dependencies, case: Case, kind: str, note: str) -> str:
    executor = deps.executors.get(case.executor_id or "")
    deadline = case.assignment.deadline_at.astimezone(deps.region.tz) if case.assignment else None
    body = TEMPLATES.get(kind, "Статус обращения изменился: {status}.").format(
        id=case.id, executor=executor.name if executor else "—", note=note, status=STATUS_LABELS[case.status],
        deadline=deadline.strftime("%d.%m.%Y %H:%M") if deadline else "—",
        clarification_days=deps.settings.clarification_days)
    link = tracking_link(deps, case)
    return (f"Здравствуйте!\n\n{body}\n\n" + (f"Следить за обращением: {link}\n\n" if link else "")
            + "Центр управления регионом")


def tracking_link(deps: Dependencies, case: Case) -> str:
    base = deps.settings.tracking_page_url
    return f"{base}?id={case.id}&token={case.tracking_token}" if base and case.tracking_token else ""
