"""Operations for the region's operators: parked webhook deliveries and dead-letter queues."""

from __future__ import annotations

from typing import Any

from chalicelib.api.admin_schemas import DeliveryQuery
from chalicelib.auth.operators import Principal, Role
from chalicelib.services import dead_letters, deliveries
from chalicelib.services.deps import Dependencies
from chalicelib.services.operators import require


def _ops(principal: Principal) -> Principal:
    return require(principal, principal.role is Role.REGION_OPERATOR)


def deliveries_list(deps: Dependencies, principal: Principal, query: DeliveryQuery) -> dict[str, Any]:
    _ops(principal)
    found = deliveries.listing(deps, query.status, query.executor, limit=query.limit)
    return {"deliveries": [deliveries.view(d) for d in found]}


def replay_delivery(deps: Dependencies, principal: Principal, webhook_id: str) -> dict[str, Any]:
    return deliveries.view(deliveries.replay(deps, webhook_id, actor=_ops(principal).actor))


def dead_letter_overview(deps: Dependencies, principal: Principal) -> dict[str, Any]:
    _ops(principal)
    return {"queues": dead_letters.overview(deps)}


def dead_letter_messages(deps: Dependencies, principal: Principal, queue: str) -> dict[str, Any]:
    _ops(principal)
    return {"messages": dead_letters.messages(deps, queue)}


def redrive(deps: Dependencies, principal: Principal, queue: str, message_ids: list[str] | None) -> dict[str, Any]:
    _ops(principal)
    return {"redriven": dead_letters.redrive(deps, queue, message_ids)}
