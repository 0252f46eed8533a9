"""Case ids (time-ordered, readable) and tracking tokens (secret, stored only as a hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_case_id() -> str:
    """`c_` + 10 chars of milliseconds + 8 random chars, base32: sortable by creation time."""
    millis = int(time.time() * 1000)
    stamp = "".join(_ALPHABET[(millis >> (5 * i)) & 31] for i in reversed(range(10)))
    return "c_" + stamp + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, expected_hash: str) -> bool:
    return bool(token) and hmac.compare_digest(token_hash(token or ""), expected_hash)
