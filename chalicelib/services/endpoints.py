"""Webhook endpoints, for operators: register, rotate the secret, disable and enable.

The targets are the region's executors and the social-media connectors (`connector:vk`, which posts
published answers back to VK): the same commands manage both.

A URL is checked when it is registered (https, public addresses only: see domain.endpoint) and again
at every send. Rotation keeps two secrets valid for an overlap, so the executor can switch over
without losing a webhook. Enabling an endpoint (or registering the first one) releases the deliveries
held while there was none.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.ports import ExecutorEndpoint, UnsafeEndpoint
from chalicelib.api.errors import ApiError
from chalicelib.domain.endpoint import DEFAULT_OVERLAP
from chalicelib.domain.social import CONNECTORS
from chalicelib.observability import log
from chalicelib.services import deliveries
from chalicelib.services.deps import Dependencies
from chalicelib.webhooks import generate_secret

MAX_OVERLAP = timedelta(days=30)


def register(deps: Dependencies, executor_id: str, url: str) -> tuple[ExecutorEndpoint, str | None]:
    """Point the executor's webhooks at `url`; the secret is returned only when a new one was made."""
    _known(deps, executor_id)
    try:
        deps.webhooks.check(url)
    except UnsafeEndpoint as exc:
        raise ApiError(422, "unsafe_endpoint", "Адрес для уведомлений не принят",
                       [{"field": "url", "message": str(exc)}]) from exc
    existing = deps.directory.endpoint(executor_id)
    secret = None if existing else generate_secret()
    endpoint = replace(existing, url=url) if existing else ExecutorEndpoint(executor_id, url, (secret or "",))
    deps.directory.save_endpoint(endpoint)
    log("executor endpoint registered", executor_id=executor_id)
    if endpoint.active:
        deliveries.replay_all(deps, "disabled", executor_id)
    return endpoint, secret


def rotate_secret(deps: Dependencies, executor_id: str, overlap: timedelta = DEFAULT_OVERLAP
                  ) -> tuple[ExecutorEndpoint, str]:
    """A new signing secret; the current one keeps signing alongside it for `overlap`, then expires."""
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise ApiError(422, "validation_error", "Проверьте параметры",
                       [{"field": "overlap", "message": "От 0 до 30 дней"}])
    secret = generate_secret()
    rotated = _endpoint(deps, executor_id).rotated(secret, deps.clock(), overlap)
    deps.directory.save_endpoint(rotated)
    log("executor secret rotated", executor_id=executor_id, overlap_s=overlap.total_seconds())
    return rotated, secret


def disable(deps: Dependencies, executor_id: str, reason: str) -> ExecutorEndpoint:
    endpoint = _endpoint(deps, executor_id).disabled(deps.clock(), reason or "Отключён оператором")
    deps.directory.save_endpoint(endpoint)
    return endpoint


def enable(deps: Dependencies, executor_id: str) -> list[str]:
    """Enable the endpoint again and replay what was held meanwhile; the replayed webhook-ids."""
    deps.directory.save_endpoint(_endpoint(deps, executor_id).enabled())
    log("executor endpoint enabled", executor_id=executor_id)
    return deliveries.replay_all(deps, "disabled", executor_id)


def listing(deps: Dependencies, only_disabled: bool = False) -> list[dict[str, Any]]:
    """Every executor of the region and every connector, with its endpoint (never the secrets themselves)."""
    now = deps.clock()
    views = [view(deps, target_id, deps.directory.endpoint(target_id), now)
             for target_id in [*sorted(deps.executors), *CONNECTORS]]
    return [v for v in views if not (only_disabled and v["active"])]


def view(deps: Dependencies, executor_id: str, endpoint: ExecutorEndpoint | None, now: datetime
         ) -> dict[str, Any]:
    executor = deps.executors.get(executor_id)
    base = {"executor_id": executor_id, "name": executor.name if executor else CONNECTORS.get(executor_id, executor_id)}
    if endpoint is None:
        return {**base, "url": None, "active": False, "secrets_in_use": 0, "rotation_ends_at": None,
                "disabled_at": None, "disabled_reason": "Адрес не настроен"}
    in_use = len(endpoint.signing_secrets(now))
    return {**base, "url": endpoint.url, "active": endpoint.active, "secrets_in_use": in_use,
            "rotation_ends_at": endpoint.previous_expires_at.isoformat()
            if in_use > 1 and endpoint.previous_expires_at else None,
            "disabled_at": endpoint.disabled_at.isoformat() if endpoint.disabled_at else None,
            "disabled_reason": endpoint.disabled_reason or None}


def _known(deps: Dependencies, target_id: str) -> None:
    if target_id not in deps.executors and target_id not in CONNECTORS:
        raise ApiError(404, "not_found", "Исполнитель или коннектор не найден")


def _endpoint(deps: Dependencies, executor_id: str) -> ExecutorEndpoint:
    _known(deps, executor_id)
    endpoint = deps.directory.endpoint(executor_id)
    if endpoint is None:
        raise ApiError(404, "not_found", "У исполнителя не настроен адрес для уведомлений")
    return endpoint
