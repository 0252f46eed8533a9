"""Alerts to the operators by email (OPERATORS_ALERT_EMAIL), through the mail queue.

An executor's (or a connector's) endpoint answering 410 Gone is switched off and needs a person: the
operators get one letter per disablement, with what to do. Without an address configured only the
`ALERT` log line and the operators' views (`tsur executors list --disabled`, the parked and held
deliveries) tell them.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.delivery import Delivery
from chalicelib.domain.endpoint import ExecutorEndpoint
from chalicelib.observability import log, log_context
from chalicelib.services import mail
from chalicelib.services.deps import Dependencies
from chalicelib.services.mail import MailMessage

ENDPOINT_DISABLED = "endpoint_disabled"
TEMPLATES = {
    ENDPOINT_DISABLED: (
        "Адрес для уведомлений отключён: {target}",
        "Адрес {url} ответил 410 Gone на уведомление {webhook_id} по обращению {case_id} и отключён {at}.\n\n"
        "Уведомления для {target} не отправляются, а ждут. Когда исполнитель сообщит рабочий адрес:\n"
        "  tsur executors set-url {target_id} <адрес>   (или tsur executors enable {target_id})\n"
        "— задержанные уведомления уйдут снова с теми же webhook-id.\n\nЦентр управления регионом"),
}


def endpoint_disabled(deps: Dependencies, endpoint: ExecutorEndpoint, delivery: Delivery, at: datetime) -> None:
    """Queue the letter about a disablement (once: its key is the endpoint and the time it went off)."""
    if not deps.settings.operators_alert_email:
        return
    target = deps.executors.get(endpoint.executor_id)
    mail.enqueue_or_log(deps, MailMessage(
        case_id=delivery.case_id, kind=ENDPOINT_DISABLED, event_at=at.isoformat(), audience=mail.OPERATORS,
        correlation_id=delivery.correlation_id,
        data={"target_id": endpoint.executor_id, "target": target.name if target else endpoint.executor_id,
              "url": endpoint.url, "webhook_id": delivery.id, "case_id": delivery.case_id}))


def send(deps: Dependencies, message: MailMessage) -> None:
    to = deps.settings.operators_alert_email
    template = TEMPLATES.get(message.kind)
    if not to or template is None:
        return
    with log_context(case_id=message.case_id, correlation_id=message.correlation_id):
        subject, body = (part.format(at=message.event_at, **message.data) for part in template)
        key = f"alert:{message.kind}:{message.data.get('target_id', '')}:{message.event_at}"
        if mail.send_once(deps, key, to, subject, body):
            log("operators alerted", alert=message.kind, target_id=message.data.get("target_id"))
