"""Operations for the region's operators: parked webhook deliveries, dead-letter queues, executors' API keys."""

from __future__ import annotations

from typing import Any

from chalicelib.api.admin_schemas import DeliveryQuery
from chalicelib.auth.operators import Principal, Role
from chalicelib.services import dead_letters, deliveries, executor_keys
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


def executor_key_list(deps: Dependencies, principal: Principal, executor_id: str) -> dict[str, Any]:
    _ops(principal)
    return {"keys": executor_keys.listing(deps, executor_id)}


def issue_executor_key(deps: Dependencies, principal: Principal, executor_id: str, label: str) -> dict[str, Any]:
    _ops(principal)
    return executor_keys.issued_view(executor_keys.issue(deps, executor_id, label))


def revoke_executor_key(deps: Dependencies, principal: Principal, executor_id: str, key_id: str) -> dict[str, Any]:
    _ops(principal)
    return executor_keys.revoke(deps, executor_id, key_id)
