"""Demo data for the local stack: every executor of the St Petersburg region (the region file's, and any
loaded with routing rules: `tsur routing load`) gets a webhook endpoint at the demo agency, a secret
and an API key.

The region, its districts, executors, routing rules and rubricator ship with the code
(chalicelib/data/); what lives in the database is what each executor configures: where its webhooks
go, the secrets they are signed with, and its API keys (stored hashed). Re-seeding keeps existing
secrets and the keys of the previous credentials file that still work; it only re-points URLs.
The VK connector (`connector:vk`, stored under CONNECTOR#vk) posts answers back to VK; here the demo
agency's /connectors/vk stands in for it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from typing import Any

from chalicelib import reference
from chalicelib.adapters.ports import ExecutorEndpoint
from chalicelib.auth.api_keys import parse_key
from chalicelib.auth.operators import OperatorUser, Principal, Role, hash_password, password_matches
from chalicelib.domain.social import VK, connector_id
from chalicelib.services import executor_keys
from chalicelib.services.deps import Dependencies, current
from chalicelib.webhooks import generate_secret


def seed_demo(agency_base_url: str, deps: Dependencies | None = None,
              previous: dict[str, Any] | None = None) -> dict[str, Any]:
    deps = deps or current()
    old_keys = {e["id"]: e.get("api_key", "") for e in (previous or {}).get("executors", [])}
    executors = []
    for executor in deps.executors.values():  # the region file's, and any loaded with routing rules
        url = f"{agency_base_url.rstrip('/')}/hooks/{executor.id}"
        executors.append({"id": executor.id, "name": executor.name, "webhook_url": url,
                          "webhook_secret": _point(deps, executor.id, url),
                          "api_key": _working_key(deps, executor.id, old_keys.get(executor.id, ""))})
    vk, vk_url = connector_id(VK), f"{agency_base_url.rstrip('/')}/connectors/{VK}"
    connectors = [{"id": vk, "webhook_url": vk_url, "webhook_secret": _point(deps, vk, vk_url)}]
    operators = [_operator(deps, user, (previous or {}).get("operators", [])) for user in DEMO_OPERATORS]
    return {"region": reference.region().name, "executors": executors, "connectors": connectors,
            "operators": operators,
            "vk_callback": {"path": "/v1/social/vk", "confirmation_code": os.environ.get("VK_CONFIRMATION_CODE", ""),
                            "secret": os.environ.get("VK_SECRET", "")}}


DEMO_KEY_LABEL = "демо: local/credentials.json"
DEMO_OPERATORS = (
    Principal("operator", Role.REGION_OPERATOR, "Оператор ЦУР (демо)"),
    Principal("nevsky", Role.MUNICIPAL_OPERATOR, "Оператор Невского района (демо)", municipality="nevsky"),
    Principal("roads", Role.SECTOR_CURATOR, "Куратор: дороги и транспорт (демо)", sectors=("roads", "transport")),
    Principal("adm_nevsky", Role.EXECUTOR, "Администрация Невского района (демо)", executor_id="adm_nevsky"),
    Principal("governor", Role.HEAD, "Руководитель (демо)"),
)


def _operator(deps: Dependencies, principal: Principal, previous: list[dict[str, Any]]) -> dict[str, Any]:
    """A demo operator account; the password of the previous credentials file is kept while it works."""
    old = next((u.get("password", "") for u in previous if u.get("username") == principal.username), "")
    stored = deps.operators.get(principal.username)
    password = old if stored and old and password_matches(old, stored.password_hash) else secrets.token_urlsafe(9)
    if not (stored and password == old and stored.principal == principal):
        deps.operators.save(OperatorUser(principal, hash_password(password)))
    return {"username": principal.username, "password": password, **principal.public()}


def _point(deps: Dependencies, target_id: str, url: str) -> str:
    """Send `target_id`'s webhooks to `url`, keeping its secrets; the secret it signs with now."""
    existing = deps.directory.endpoint(target_id)
    secrets = existing.secrets if existing else (generate_secret(),)
    if existing is None or existing.url != url:
        # replace(): a re-pointed endpoint keeps its rotation and disabled state
        deps.directory.save_endpoint(replace(existing, url=url) if existing
                                     else ExecutorEndpoint(target_id, url, secrets))
    return secrets[0]


def _working_key(deps: Dependencies, executor_id: str, old: str) -> str:
    key_id = parse_key(old)
    stored = deps.api_keys.get(key_id) if key_id else None
    if stored is not None and stored.executor_id == executor_id and stored.matches(old):
        return old
    return executor_keys.issue(deps, executor_id, DEMO_KEY_LABEL).plaintext
