"""An executor's webhook endpoint: where its callbacks go, the secrets they are signed with, and which
addresses we refuse to call (server-side request forgery).

Plain Python: resolving host names is the adapter's job; the rules here judge the addresses it found.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

DEFAULT_OVERLAP = timedelta(hours=24)


class UnsafeEndpoint(ValueError):
    """The URL would make us call something we must not call (or not over https)."""


@dataclass(frozen=True)
class ExecutorEndpoint:
    executor_id: str
    url: str
    # Newest first. While a secret is rotated the previous one stays until `previous_expires_at`.
    secrets: tuple[str, ...]
    active: bool = True
    previous_expires_at: datetime | None = None
    disabled_at: datetime | None = None
    disabled_reason: str = ""

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """Every secret valid now: one signature is sent per secret, so both sides overlap safely."""
        if self.previous_expires_at is not None and now >= self.previous_expires_at:
            return self.secrets[:1]
        return self.secrets

    def rotated(self, new_secret: str, now: datetime, overlap: timedelta = DEFAULT_OVERLAP) -> ExecutorEndpoint:
        """The new secret signs from now on; the current one keeps signing for `overlap`, then expires."""
        current = self.signing_secrets(now)[:1]
        keep = current if overlap > timedelta(0) else ()
        return replace(self, secrets=(new_secret, *keep), previous_expires_at=now + overlap if keep else None)

    def disabled(self, now: datetime, reason: str) -> ExecutorEndpoint:
        return replace(self, active=False, disabled_at=now, disabled_reason=reason)

    def enabled(self) -> ExecutorEndpoint:
        return replace(self, active=True, disabled_at=None, disabled_reason="")


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return mapped or ip  # ::ffff:10.0.0.1 is 10.0.0.1


def endpoint_problem(url: str, addresses: Iterable[str], allow_loopback: bool) -> str | None:
    """Why we must not call `url` whose host resolved to `addresses`; None when it is fine.

    Public addresses over https only. `allow_loopback` (the local stack, never prod) also lets through
    loopback addresses, and plain http to them.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "Адрес должен быть URL вида https://host/path"
    if parts.username or parts.password:
        return "Адрес не должен содержать логин и пароль"
    found = [_address(a) for a in addresses]
    if not found:
        return "Имя хоста не разрешается в IP-адрес"
    loopback_only = all(ip.is_loopback for ip in found)
    for ip in found:
        if ip.is_loopback and allow_loopback:
            continue
        if not ip.is_global or ip.is_multicast:
            return f"Адрес указывает во внутреннюю сеть ({ip})"
    if parts.scheme != "https" and not (allow_loopback and loopback_only):
        return "Адрес должен использовать https"
    return None
