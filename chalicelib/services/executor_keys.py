"""Executors' API keys, for operators: issue one (shown once), list them (never the key), revoke one.

The same functions serve `tsur executors issue-key|keys|revoke-key` and the admin API. A revoked key
answers 401 on the executors' API from the next request on.
"""

from __future__ import annotations

from typing import Any

from chalicelib.api.errors import ApiError
from chalicelib.auth.api_keys import ApiKey, NewApiKey, new_api_key
from chalicelib.observability import log
from chalicelib.services.deps import Dependencies

UNKNOWN_EXECUTOR = ApiError(404, "not_found", "Исполнитель не найден")
UNKNOWN_KEY = ApiError(404, "not_found", "Ключ не найден")


def _known(deps: Dependencies, executor_id: str) -> None:
    if executor_id not in deps.executors:
        raise UNKNOWN_EXECUTOR


def issue(deps: Dependencies, executor_id: str, label: str = "") -> NewApiKey:
    """A new key for the executor; its plaintext exists only in what this returns."""
    _known(deps, executor_id)
    key = new_api_key(executor_id, deps.clock(), label)
    deps.api_keys.add(key.record)
    log("executor api key issued", executor_id=executor_id, key_id=key.record.key_id)
    return key


def listing(deps: Dependencies, executor_id: str) -> list[dict[str, Any]]:
    """The executor's keys, oldest first: ids, labels, when made and revoked."""
    _known(deps, executor_id)
    return [view(k) for k in sorted(deps.api_keys.of_executor(executor_id), key=lambda k: k.created_at)]


def revoke(deps: Dependencies, executor_id: str, key_id: str) -> dict[str, Any]:
    _known(deps, executor_id)
    key = deps.api_keys.get(key_id)
    if key is None or key.executor_id != executor_id:
        raise UNKNOWN_KEY
    if not deps.api_keys.revoke(key_id, deps.clock()):
        raise ApiError(409, "already_revoked", "Ключ уже отозван")
    log("executor api key revoked", executor_id=executor_id, key_id=key_id)
    return view(deps.api_keys.get(key_id) or key)


def view(key: ApiKey) -> dict[str, Any]:
    """A key as operators see it: never the key itself, nor its hash."""
    return {"key_id": key.key_id, "executor_id": key.executor_id, "label": key.label,
            "created_at": key.created_at.isoformat(), "revoked_at": key.revoked_at.isoformat() if key.revoked_at
            else None, "active": key.active}


def issued_view(issued: NewApiKey) -> dict[str, Any]:
    """What issuing answers: the key's record and, this once, the key."""
    return {**view(issued.record), "key": issued.plaintext}
