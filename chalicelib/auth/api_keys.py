"""Executor API keys: `tsk_<key id>_<secret>`, stored only as a SHA-256 hash, shown once, revocable.

The key id is public (it names the key in listings and revocations); the secret part has 192 bits of
entropy, so a plain SHA-256 is enough (a slow password hash protects low-entropy secrets only).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

PREFIX = "tsk_"


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    executor_id: str
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    label: str = ""  # what the operator called it ("учётная система района"), shown in listings

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def matches(self, presented: str) -> bool:
        return self.active and hmac.compare_digest(self.key_hash, hash_key(presented))


@dataclass(frozen=True)
class NewApiKey:
    record: ApiKey
    plaintext: str  # shown to the executor once, never stored


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key(executor_id: str, now: datetime, label: str = "") -> NewApiKey:
    key_id = secrets.token_hex(6)
    plaintext = f"{PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
    return NewApiKey(ApiKey(key_id, executor_id, hash_key(plaintext), now, label=label), plaintext)


MAX_KEY_ID = 64  # issued ids are 12 hex digits; a longer one names no key (and no DynamoDB key can hold it)


def parse_key(presented: str) -> str | None:
    """The key id of a well-formed key, or None."""
    if not presented.startswith(PREFIX):
        return None
    key_id, _, secret = presented[len(PREFIX):].partition("_")
    return key_id if 0 < len(key_id) <= MAX_KEY_ID and secret else None
