"""Posting webhooks over HTTP, with a guard against server-side request forgery.

The host name is resolved and judged (domain.endpoint.endpoint_problem) on every send, and the
connection then goes to exactly the address that was judged, with TLS still verified against the
host name. So a name that resolved to a public address at registration and to an internal one now
(DNS rebinding) is refused, and one that changes between our check and the connect cannot slip
through. Redirects are never followed: http.client does not follow them, and a 3xx is a failure.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from chalicelib.adapters.ports import HttpResult, WebhookSender
from chalicelib.domain.endpoint import UnsafeEndpoint, endpoint_problem
from chalicelib.settings import Settings

TIMEOUT_S = 10.0
MAX_RESPONSE_BYTES = 64 * 1024  # the answer's body is read (to reuse nothing, but to be polite) and dropped
Resolver = Callable[[str, int], list[str]]


def system_resolve(host: str, port: int) -> list[str]:
    found = {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    return sorted(found, key=lambda address: (":" in address, address))  # IPv4 first: Lambda may lack IPv6


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


class HttpWebhookSender(WebhookSender):
    def __init__(self, allow_loopback: bool = False, resolve: Resolver = system_resolve,
                 timeout_s: float = TIMEOUT_S) -> None:
        self._allow_loopback = allow_loopback
        self._resolve = resolve
        self._timeout_s = timeout_s

    @classmethod
    def for_settings(cls, settings: Settings) -> HttpWebhookSender:
        """Loopback only where the environment asks for it (the local stack), and never in prod."""
        return cls(allow_loopback=settings.allow_loopback_webhooks and settings.stage != "prod")

    def check(self, url: str) -> None:
        self._vetted(url)

    def _vetted(self, url: str) -> str:
        """The address to connect to, after judging every address the host name has now."""
        parts = urlsplit(url)
        try:
            addresses = self._resolve(parts.hostname, _port(parts.scheme, parts.port)) if parts.hostname else []
        except (OSError, ValueError) as exc:
            raise UnsafeEndpoint(f"Имя хоста не разрешается: {exc}") from exc
        problem = endpoint_problem(url, addresses, self._allow_loopback)
        if problem:
            raise UnsafeEndpoint(problem)
        return addresses[0]

    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        started = time.perf_counter()
        try:
            address = self._vetted(url)
            status, reason, retry_after = self._send(address, url, headers, body)
        except UnsafeEndpoint as exc:
            return HttpResult(status=None, latency_ms=_ms_since(started), error=f"Отказано: {exc}")
        except (OSError, http.client.HTTPException) as exc:
            return HttpResult(status=None, latency_ms=_ms_since(started), error=str(exc) or type(exc).__name__)
        error = None if 200 <= status < 300 else f"HTTP {status} {reason}".strip()
        return HttpResult(status=status, latency_ms=_ms_since(started), error=error, retry_after=retry_after)

    def _send(self, address: str, url: str, headers: dict[str, str], body: str) -> tuple[int, str, str | None]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = kind(host, _port(parts.scheme, parts.port), address, self._timeout_s)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", target, body=body.encode(),
                               headers={"content-type": "application/json", **headers})
            response = connection.getresponse()
            response.read(MAX_RESPONSE_BYTES)
            return response.status, response.reason, response.getheader("Retry-After")
        finally:
            connection.close()


def _port(scheme: str, port: int | None) -> int:
    return port or (443 if scheme == "https" else 80)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
