"""Operators and what each role may see and do.

Roles: a region operator does everything; a municipal operator only its municipality's cases; a sector
curator only its sectors; an executor only its own cases, read-only; a head only the dashboards.
In AWS the identity comes from the Cognito user pool (API Gateway checks the token; the claims reach
the app). Everywhere else users sign in against the operator directory and get a session signed by
this service; the claims of an unchecked token are never trusted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

PBKDF2_ITERATIONS = 120_000
SESSION_HOURS = 12


class Role(StrEnum):
    REGION_OPERATOR = "region_operator"
    MUNICIPAL_OPERATOR = "municipal_operator"
    SECTOR_CURATOR = "sector_curator"
    EXECUTOR = "executor"
    HEAD = "head"


ROLE_LABELS = {Role.REGION_OPERATOR: "Оператор ЦУР", Role.MUNICIPAL_OPERATOR: "Оператор муниципалитета",
               Role.SECTOR_CURATOR: "Куратор направления", Role.EXECUTOR: "Исполнитель",
               Role.HEAD: "Руководитель"}
CASE_WORKERS = frozenset({Role.REGION_OPERATOR, Role.MUNICIPAL_OPERATOR, Role.SECTOR_CURATOR})


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    name: str = ""
    municipality: str | None = None
    sectors: tuple[str, ...] = ()
    executor_id: str | None = None

    @property
    def actor(self) -> str:
        return f"operator:{self.username}"

    def sees(self, municipality: str | None, sector: str | None, executor_id: str | None) -> bool:
        """Whether a case with these attributes is within this user's scope."""
        match self.role:
            case Role.REGION_OPERATOR:
                return True
            case Role.MUNICIPAL_OPERATOR:
                return municipality is not None and municipality == self.municipality
            case Role.SECTOR_CURATOR:
                return sector is not None and sector in self.sectors
            case Role.EXECUTOR:
                return executor_id is not None and executor_id == self.executor_id
            case _:
                return False

    @property
    def works_cases(self) -> bool:
        return self.role in CASE_WORKERS

    @property
    def reads_cases(self) -> bool:
        return self.role is not Role.HEAD

    def public(self) -> dict[str, Any]:
        return {"username": self.username, "name": self.name, "role": self.role.value,
                "role_label": ROLE_LABELS[self.role], "municipality": self.municipality,
                "sectors": list(self.sectors), "executor_id": self.executor_id}


@dataclass(frozen=True)
class OperatorUser:
    principal: Principal
    password_hash: str


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_session(principal: Principal, secret: str, expires_at: datetime) -> str:
    payload = _b64(json.dumps({**principal.public(), "exp": int(expires_at.timestamp())}).encode())
    signature = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def read_session(token: str, secret: str, now: datetime) -> Principal | None:
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    if not secret or not signature or not hmac.compare_digest(signature, expected):
        return None
    try:
        claims = json.loads(_unb64(payload))
    except ValueError:
        return None
    if claims.get("exp", 0) < now.timestamp():
        return None
    return _principal(claims["username"], claims)


def from_cognito(claims: Mapping[str, Any]) -> Principal | None:
    """Claims API Gateway's Cognito authorizer verified: the role is the user's Cognito group."""
    groups = claims.get("cognito:groups", "")
    group_list = groups if isinstance(groups, list) else str(groups).strip("[]").replace(",", " ").split()
    role = next((g for g in group_list if g in Role.__members__.values()), None)
    if role is None:
        return None
    return _principal(str(claims.get("cognito:username", claims.get("sub", ""))), {
        "role": role, "name": claims.get("name", ""), "municipality": claims.get("custom:municipality"),
        "sectors": str(claims.get("custom:sectors", "")).split(",") if claims.get("custom:sectors") else [],
        "executor_id": claims.get("custom:executor_id")})


def _principal(username: str, claims: Mapping[str, Any]) -> Principal:
    return Principal(username=username, role=Role(claims["role"]), name=claims.get("name") or "",
                     municipality=claims.get("municipality") or None,
                     sectors=tuple(s for s in claims.get("sectors") or () if s),
                     executor_id=claims.get("executor_id") or None)
