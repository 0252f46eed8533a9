"""Posting webhooks over HTTP, with a guard against server-side request forgery."""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from chalicelib.adapters.ports import HttpResult, WebhookSender

TIMEOUT_S = 10.0


class UnsafeEndpoint(ValueError):
    pass


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect could lead anywhere, including inside our network


def check_endpoint(url: str, allow_loopback: bool) -> None:
    """Refuse URLs that would make us call into private networks (or anything but https in AWS)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise UnsafeEndpoint("no host in the endpoint URL")
    addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if ip.is_loopback and allow_loopback:
            continue
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise UnsafeEndpoint(f"endpoint resolves to a non-public address {ip}")
    if parts.scheme != "https" and not allow_loopback:
        raise UnsafeEndpoint("endpoint must use https")


class UrllibWebhookSender(WebhookSender):
    def __init__(self, allow_loopback: bool = False) -> None:
        self._allow_loopback = allow_loopback
        self._opener = urllib.request.build_opener(_NoRedirects)

    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        started = time.perf_counter()
        try:
            check_endpoint(url, self._allow_loopback)
            request = urllib.request.Request(url, data=body.encode(), method="POST",
                                             headers={"content-type": "application/json", **headers})
            with self._opener.open(request, timeout=TIMEOUT_S) as response:
                status = response.status
            return HttpResult(status=status, latency_ms=_ms_since(started))
        except urllib.error.HTTPError as exc:
            return HttpResult(status=exc.code, latency_ms=_ms_since(started), error=str(exc.reason))
        except (OSError, UnsafeEndpoint) as exc:
            return HttpResult(status=None, latency_ms=_ms_since(started), error=str(exc))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
