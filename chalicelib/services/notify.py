"""The notify queue: the pipeline's notify step, and the single webhook attempts of every delivery.

The notify step hands an assigned case to its executor: it records the `case.assigned` webhook (its id
stable per assignment, `msg_<case>_<n>`) and queues the first attempt; from there the delivery runs
on its own (services.deliveries), so a slow or broken receiver never holds up the case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.api.schemas import NotifyMessage
from chalicelib.domain.case import Case
from chalicelib.services import deliveries
from chalicelib.services.deps import Dependencies
from chalicelib.services.pipeline import run_step

EVENT_ASSIGNED = "case.assigned"
DELIVERED_NOTE = "Обращение передано исполнителю"


def consume(deps: Dependencies, message: NotifyMessage) -> None:
    if message.webhook_id:
        deliveries.attempt(deps, message)
    else:
        run_step(deps, message, "notify", deliver)


def deliver(deps: Dependencies, case: Case, now: datetime) -> str | None:
    assert case.assignment is not None
    deliveries.send_webhook(deps, case, case.assignment.executor_id, EVENT_ASSIGNED, assignment_data(deps, case),
                            key=str(case.assignment_count), announce=DELIVERED_NOTE)
    return None


def assignment_data(deps: Dependencies, case: Case) -> dict[str, Any]:
    assert case.assignment and case.classification
    category = deps.rubricator.get(case.classification.category)
    municipality = deps.region.municipalities.get(case.municipality or "")
    tz = deps.executors[case.assignment.executor_id].tz
    return {
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
        "residents_affected": case.residents_affected,
    }
