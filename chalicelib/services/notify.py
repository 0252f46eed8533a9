"""Delivering an assigned case to its executor as a signed Standard Webhooks callback.

The webhook id is stable per assignment, so a retry carries the same id and the receiver can
deduplicate. A successful delivery is recorded with a conditional write before the case is saved,
so a redelivered message never sends a second webhook for a delivery already made.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.domain.case import Case
from chalicelib.observability import log
from chalicelib.services.deps import Dependencies
from chalicelib.services.pipeline import RetryLater
from chalicelib.webhooks import signature_headers

EVENT_ASSIGNED = "case.assigned"


def deliver(deps: Dependencies, case: Case, now: datetime) -> str | None:
    delivery_id = case.delivery_id
    if deps.cases.is_delivered(case.id, delivery_id):
        _note_delivered(case, now, delivery_id)
        return None
    executor_id = case.executor_id or ""
    endpoint = deps.directory.endpoint(executor_id)
    if endpoint is None or not endpoint.active:
        case.note(now, "delivery_attempt", "У исполнителя не настроен адрес для уведомлений",
                  delivery_id=delivery_id, status=None)
        raise RetryLater(f"executor {executor_id} has no active endpoint")
    body = json.dumps(webhook_payload(deps, case, now), ensure_ascii=False)
    result = deps.webhooks.post(endpoint.url, signature_headers(endpoint.secrets, delivery_id, body), body)
    case.note(now, "delivery_attempt", "Доставлено" if result.ok else "Ошибка доставки",
              delivery_id=delivery_id, status=result.status, latency_ms=result.latency_ms, error=result.error)
    log("webhook attempt", executor_id=executor_id, http_status=result.status, latency_ms=result.latency_ms)
    if not result.ok:
        raise RetryLater(f"delivery to {executor_id} failed: {result.status or result.error}")
    deps.cases.mark_delivered(case.id, delivery_id, now)
    _note_delivered(case, now, delivery_id)
    return None


def _note_delivered(case: Case, now: datetime, delivery_id: str) -> None:
    case.note(now, "delivered", "Обращение передано исполнителю", public=True, delivery_id=delivery_id)


def webhook_payload(deps: Dependencies, case: Case, now: datetime) -> dict[str, Any]:
    assert case.assignment and case.classification
    category = deps.rubricator.get(case.classification.category)
    municipality = deps.region.municipalities.get(case.municipality or "")
    tz = deps.region.executors[case.assignment.executor_id].tz
    return {
        "type": EVENT_ASSIGNED,
        "timestamp": now.isoformat(),
        "data": {
            "case_id": case.id,
            "status": case.status.value,
            "sector": case.classification.sector,
            "category": case.classification.category,
            "category_name": category.name if category else None,
            "text": case.text,
            "address": case.address,
            "lat": case.lat,
            "lon": case.lon,
            "municipality": case.municipality,
            "municipality_name": municipality.name if municipality else None,
            "deadline": case.assignment.deadline_at.astimezone(tz).isoformat(),
            "attachments": list(case.attachments),
            "created_at": case.created_at.isoformat(),
        },
    }
