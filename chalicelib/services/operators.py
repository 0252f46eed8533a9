"""Who the operator is: a Cognito identity in AWS (verified by API Gateway), a signed session elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from chalicelib.api.admin_schemas import LoginIn
from chalicelib.api.errors import ApiError
from chalicelib.auth.operators import (
    SESSION_HOURS,
    Principal,
    from_cognito,
    issue_session,
    password_matches,
    read_session,
)
from chalicelib.services.deps import Dependencies

UNAUTHORIZED = ApiError(401, "unauthorized", "Войдите в систему")
FORBIDDEN = ApiError(403, "forbidden", "Недостаточно прав для этого действия")


def uses_cognito(deps: Dependencies) -> bool:
    return deps.settings.cognito


def identify(deps: Dependencies, authorization: str | None, context: Mapping[str, Any] | None) -> Principal:
    if uses_cognito(deps):
        claims = ((context or {}).get("authorizer") or {}).get("claims") or {}
        principal = from_cognito(claims)
    else:
        scheme, _, token = (authorization or "").partition(" ")
        principal = read_session(token.strip(), deps.settings.session_secret, deps.clock()) \
            if scheme.lower() == "bearer" else None
    if principal is None:
        raise UNAUTHORIZED
    return principal


def login(deps: Dependencies, body: LoginIn) -> dict[str, Any]:
    """Sign-in against the operator directory (stages without Cognito)."""
    if uses_cognito(deps) or not deps.settings.session_secret:
        raise ApiError(404, "not_found", "Вход по паролю здесь не используется")
    user = deps.operators.get(body.username)
    if user is None or not password_matches(body.password, user.password_hash):
        raise ApiError(401, "bad_credentials", "Неверное имя пользователя или пароль")
    expires = deps.clock() + timedelta(hours=SESSION_HOURS)
    token = issue_session(user.principal, deps.settings.session_secret, expires)
    return {"token": token, "expires_at": expires.isoformat(), "user": user.principal.public()}


def require(principal: Principal, allowed: bool) -> Principal:
    if not allowed:
        raise FORBIDDEN
    return principal
