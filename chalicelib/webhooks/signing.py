"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

`webhook-signature` is `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
base64-decoded part of a `whsec_…` secret. Several space-separated signatures may be sent while a
secret is being rotated; a receiver accepts the message when any of them matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_S = 5 * 60


class SignatureError(ValueError):
    """The message is not signed by any secret we hold, or is too old."""


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(raw)


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    payload = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(_key(secret), payload, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(secrets_in_use: Iterable[str], msg_id: str, body: str, timestamp: int | None = None
                      ) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    signatures = " ".join(sign(secret, msg_id, ts, body) for secret in secrets_in_use)
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": signatures}


def verify(secret: str, headers: Mapping[str, str], body: str, now: int | None = None,
           tolerance_s: int = DEFAULT_TOLERANCE_S) -> None:
    """Raise SignatureError unless `headers` carry a valid, fresh signature of `body` by `secret`."""
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        ts = int(timestamp)
    except ValueError as exc:
        raise SignatureError("webhook-timestamp is not an integer") from exc
    current = int(time.time()) if now is None else now
    if abs(current - ts) > tolerance_s:
        raise SignatureError("webhook-timestamp is outside the tolerance window")
    expected = sign(secret, msg_id, ts, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures.split()):
        raise SignatureError("no signature matches")
