"""Signed webhooks to executors, delivered until they arrive or an operator has to step in.

`send_webhook` records a delivery (one per webhook-id) and queues its first attempt on the notify
queue; the notify consumer makes one attempt per message (`attempt`). A failed attempt schedules the
next one (domain.delivery.RetrySchedule): within SQS's 15 minutes as a delayed message, later through
the sweeper (`sweep_due`, every minute), which also re-sends any queued attempt that never ran.
Every attempt goes into the case's history. 410 Gone disables the executor's endpoint and tells the
operators; after the last attempt the delivery is parked for them to replay.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any

from chalicelib.adapters.ports import ConcurrentUpdate, ExecutorEndpoint
from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import NotifyMessage
from chalicelib.domain.case import SYSTEM, Case, CaseEvent
from chalicelib.domain.delivery import (
    INDEX_STATES,
    STATUS_LABELS,
    Attempt,
    Delivery,
    DeliveryStatus,
    NotReplayable,
    case_of,
    index_state,
    webhook_id,
)
from chalicelib.observability import log, log_context
from chalicelib.services import operator_alerts
from chalicelib.services.deps import Dependencies
from chalicelib.webhooks import signature_headers

QUEUE = "notify"
RECORD_ATTEMPTS = 4  # saves of an attempt made, each with the SDK's own retries
RECORD_BACKOFF_S = 0.2
OPERATOR = "operator"


def send_webhook(deps: Dependencies, case: Case, executor_id: str, event_type: str, data: dict[str, Any], *,
                 key: str, announce: str = "") -> Delivery:
    """Record the webhook `event_type` for `executor_id` and queue its first attempt.

    `key` makes the webhook-id (`msg_<case>_<key>`): give the same key for the same event, so that a
    re-run (a step retried after a conflict) finds the delivery it made instead of sending another.
    `announce`, if given, goes on the case's public timeline once the webhook is delivered.
    """
    now = deps.clock()
    body = json.dumps({"type": event_type, "timestamp": now.isoformat(), "data": data}, ensure_ascii=False)
    delivery = Delivery.create(webhook_id(case.id, key), case.id, executor_id, event_type, body, now,
                               correlation_id=case.correlation_id, announce=announce)
    if not deps.deliveries.add(delivery):
        return deps.deliveries.get(case.id, delivery.id) or delivery
    log("webhook queued", webhook_id=delivery.id, event_type=event_type, executor_id=executor_id)
    _enqueue(deps, delivery, 0)
    return delivery


def attempt(deps: Dependencies, message: NotifyMessage) -> None:
    """One attempt of one delivery, if the message is for the attempt the delivery waits for."""
    assert message.webhook_id
    with log_context(case_id=message.case_id, correlation_id=message.correlation_id, step="deliver"):
        delivery = deps.deliveries.get(message.case_id, message.webhook_id)
        if delivery is None:
            raise LookupError(f"no delivery {message.webhook_id}")  # the message goes to the DLQ
        if not delivery.awaits(message.attempt):
            log("attempt made already; message ignored", webhook_id=delivery.id, status=delivery.status.value)
            return
        now = deps.clock()
        endpoint = deps.directory.endpoint(delivery.executor_id)
        if endpoint is None or not endpoint.active:
            _hold(deps, delivery, endpoint, now)
            return
        secrets = endpoint.signing_secrets(now)
        result = deps.webhooks.post(endpoint.url, signature_headers(secrets, delivery.id, delivery.body),
                                    delivery.body)
        made = Attempt(at=now, number=delivery.next_number, status=result.status, latency_ms=result.latency_ms,
                       error=result.error)
        _record(deps, delivery, endpoint, made, result.retry_after)


def _record(deps: Dependencies, delivery: Delivery, endpoint: ExecutorEndpoint, made: Attempt,
            retry_after: str | None) -> None:
    status = delivery.record(made, deps.retry_schedule, deps.rng, retry_after)
    events = [_attempt_event(delivery, made)]
    log("webhook attempt", webhook_id=delivery.id, executor_id=delivery.executor_id, http_status=made.status,
        latency_ms=made.latency_ms, attempt=made.number, outcome=status.value)
    if status is DeliveryStatus.DELIVERED and delivery.announce:
        events.append(_event(made.at, "delivered", delivery, delivery.announce, public=True))
    elif status is DeliveryStatus.DISABLED:
        events.append(_disable(deps, endpoint, delivery, made.at))
    elif status is DeliveryStatus.PARKED:
        events.append(_parked(delivery, made.at))
    if _save_after_attempt(deps, delivery, events):
        delay = delivery.queue_delay(made.at)
        if delay is not None:
            _enqueue(deps, delivery, delay)


def _disable(deps: Dependencies, endpoint: ExecutorEndpoint, delivery: Delivery, now: datetime) -> CaseEvent:
    """Switch the endpoint off and tell the operators, once: a 410 to a webhook sent while another one
    already switched it off changes nothing more."""
    current = deps.directory.endpoint(endpoint.executor_id)
    if current is not None and current.active:
        deps.directory.save_endpoint(current.disabled(now, f"Адрес ответил 410 Gone на уведомление {delivery.id}"))
        log("ALERT executor endpoint disabled", logging.ERROR, alert="endpoint_disabled",
            executor_id=endpoint.executor_id, webhook_id=delivery.id)
        operator_alerts.endpoint_disabled(deps, current, delivery, now)
    return _event(now, "endpoint_disabled", delivery, "Адрес исполнителя для уведомлений отключён (410 Gone); "
                  "нужен оператор")


def _parked(delivery: Delivery, now: datetime) -> CaseEvent:
    log("ALERT webhook parked after its last attempt", logging.ERROR, alert="delivery_parked",
        webhook_id=delivery.id, executor_id=delivery.executor_id, attempts=delivery.attempt_count)
    return _event(now, "delivery_parked", delivery, "Уведомление не доставлено; ждёт оператора")


def _hold(deps: Dependencies, delivery: Delivery, endpoint: ExecutorEndpoint | None, now: datetime) -> None:
    reason = ("У исполнителя не настроен адрес для уведомлений" if endpoint is None
              else f"Адрес исполнителя отключён: {endpoint.disabled_reason or 'оператором'}")
    delivery.hold(now, reason)
    log("webhook held: no active endpoint", logging.WARNING, webhook_id=delivery.id,
        executor_id=delivery.executor_id)
    _save(deps, delivery, [_event(now, "delivery_held", delivery, reason)])


def sweep_due(deps: Dependencies, limit: int = 100) -> dict[str, int]:
    """Send the attempts that are due and that no queued message will make (every minute)."""
    now = deps.clock()
    counts = {"sent": 0, "parked": 0}
    for delivery in deps.deliveries.scheduled_before(now, limit):
        with log_context(case_id=delivery.case_id, correlation_id=delivery.correlation_id, step="deliver"):
            sending = delivery.swept(now)
            if not _save(deps, delivery, [] if sending else [_parked(delivery, now)]):
                continue
            if sending:
                _enqueue(deps, delivery, 0)
            counts["sent" if sending else "parked"] += 1
    return counts


def find(deps: Dependencies, webhook: str) -> Delivery:
    case_id = case_of(webhook)
    delivery = deps.deliveries.get(case_id, webhook) if case_id else None
    if delivery is None:
        raise ApiError(404, "not_found", "Доставка не найдена")
    return delivery


def replay(deps: Dependencies, webhook: str, actor: str = OPERATOR) -> Delivery:
    """An operator sends a parked (or held, or waiting) delivery again: same webhook-id, same body."""
    delivery = find(deps, webhook)
    now = deps.clock()
    try:
        delivery.replay(now)
    except NotReplayable as exc:
        raise ApiError(409, "not_replayable",
                       f"Доставка в статусе «{STATUS_LABELS[delivery.status]}»: повторять нечего") from exc
    event = _event(now, "delivery_replayed", delivery, "Уведомление отправлено повторно", actor=actor)
    if not _save(deps, delivery, [event]):
        raise ApiError(409, "conflict", "Доставка только что изменилась; повторите")
    _enqueue(deps, delivery, 0)
    return delivery


def replay_all(deps: Dependencies, state: str = "parked", executor_id: str | None = None,
               actor: str = OPERATOR) -> list[str]:
    """Replay every parked (or `disabled`) delivery, optionally of one executor; their webhook-ids."""
    replayed = []
    for delivery in deps.deliveries.in_state(state, limit=1000):
        if executor_id is None or delivery.executor_id == executor_id:
            replayed.append(replay(deps, delivery.id, actor).id)
    return replayed


def listing(deps: Dependencies, state: str | None = "parked", executor_id: str | None = None,
            case_id: str | None = None, limit: int = 100) -> list[Delivery]:
    """Deliveries in an index state (scheduled, parked, disabled), or all of one case's."""
    if state is not None and state not in INDEX_STATES:
        raise ApiError(422, "validation_error", "Проверьте параметры",
                       [{"field": "status", "message": f"Допустимые значения: {', '.join(INDEX_STATES)}"}])
    if case_id:
        found = [d for d in deps.deliveries.of_case(case_id) if state is None or index_state(d.status) == state]
    else:
        found = deps.deliveries.in_state(state or "parked", limit)
    return [d for d in found if executor_id is None or d.executor_id == executor_id][:limit]


def view(delivery: Delivery) -> dict[str, Any]:
    """A delivery as operators see it (JSON-ready); the payload is left out, it carries residents' text."""
    return {
        "webhook_id": delivery.id, "case_id": delivery.case_id, "executor_id": delivery.executor_id,
        "event_type": delivery.event_type, "status": delivery.status.value,
        "status_label": STATUS_LABELS[delivery.status], "since": _iso(delivery.status_at),
        "created_at": delivery.created_at.isoformat(), "attempt_count": delivery.attempt_count,
        "next_attempt_at": _iso(delivery.next_attempt_at), "last_error": delivery.last_error,
        "attempts": [{"at": a.at.isoformat(), "number": a.number, "status": a.status,
                      "latency_ms": a.latency_ms, "error": a.error} for a in delivery.attempts],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _save(deps: Dependencies, delivery: Delivery, events: list[CaseEvent]) -> bool:
    """Log `events` on the case (they happened, whatever follows), then save; False if we lost a race."""
    deps.cases.log_events(delivery.case_id, events, tag=f"{delivery.id}.{delivery.version:04d}")
    try:
        deps.deliveries.save(delivery)
        return True
    except ConcurrentUpdate:
        log("delivery changed meanwhile; leaving it to the other worker", webhook_id=delivery.id)
        return False


def _save_after_attempt(deps: Dependencies, delivery: Delivery, events: list[CaseEvent]) -> bool:
    """Record an attempt that was made, trying harder than the SDK: if the save fails for good, SQS
    redelivers the message and the receiver gets the same webhook a second time."""
    for attempt in range(1, RECORD_ATTEMPTS + 1):
        try:
            return _save(deps, delivery, events)  # a lost race is False, not an exception
        except Exception:
            if attempt == RECORD_ATTEMPTS:
                raise
            log("saving the attempt failed; trying again", logging.WARNING, webhook_id=delivery.id, attempt=attempt)
            time.sleep(RECORD_BACKOFF_S * attempt)
    return False


def _enqueue(deps: Dependencies, delivery: Delivery, delay_seconds: int) -> None:
    message = NotifyMessage(case_id=delivery.case_id, correlation_id=delivery.correlation_id, step="deliver",
                            webhook_id=delivery.id, attempt=delivery.next_number)
    try:
        deps.queue.send(QUEUE, message.model_dump(), delay_seconds=delay_seconds)
    except Exception:
        log("enqueue failed; the sweeper will send it", logging.WARNING, webhook_id=delivery.id, exc_info=True)


def _attempt_event(delivery: Delivery, made: Attempt) -> CaseEvent:
    reason = "Доставлено" if made.ok else f"Ошибка доставки: {made.error or made.status}"
    return _event(made.at, "delivery_attempt", delivery, reason, attempt=made.number, status=made.status,
                  latency_ms=made.latency_ms, error=made.error, outcome=delivery.status.value,
                  next_attempt_at=_iso(delivery.next_attempt_at))


def _event(at: datetime, kind: str, delivery: Delivery, reason: str, public: bool = False, actor: str = SYSTEM,
           **data: Any) -> CaseEvent:
    return CaseEvent(at=at, kind=kind, actor=actor, reason=reason, public=public,
                     data={"delivery_id": delivery.id, "event_type": delivery.event_type, **data})
