"""Rate limits of the local stack's HTTP front: what WAF and API Gateway do for the deployed API.

- `SlidingWindow`: at most `limit` requests per key (the client's IP) in the last `window_s` seconds,
  like the WAF rate-based rule on the public paths;
- `TokenBucket`: `rate_per_s` requests a second with bursts of `burst`, all clients together, like API
  Gateway's stage throttling;
- `FrontLimits`: both, with the numbers, the path pattern and the 429 bodies read from infra/template.json
  (`tsur.local.template.api_limits`).

Plain Python with an injectable clock; a refused request is not counted, so a client that waits gets in.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from tsur.local.template import ApiLimits, Refusal

Clock = Callable[[], float]


class SlidingWindow:
    def __init__(self, limit: int, window_s: float, clock: Clock = time.monotonic) -> None:
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, key: str) -> float:
        """0 and the request is counted, or the seconds until `key` may send again."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window_s - now
            hits.append(now)
            if len(self._hits) > 10_000:  # forget the clients that went quiet
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window_s}
            return 0.0


class TokenBucket:
    def __init__(self, rate_per_s: float, burst: int, clock: Clock = time.monotonic) -> None:
        self.rate_per_s, self.burst, self._clock = rate_per_s, burst, clock
        self._tokens, self._at = float(burst), clock()
        self._lock = threading.Lock()

    def wait_s(self) -> float:
        """0 and a token is taken, or the seconds until one is there."""
        now = self._clock()
        with self._lock:
            self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate_per_s)
            self._at = now
            if self._tokens < 1:
                return (1 - self._tokens) / self.rate_per_s
            self._tokens -= 1
            return 0.0


@dataclass(frozen=True)
class Refused:
    status: int
    body: bytes
    retry_after_s: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json; charset=utf-8", "Retry-After": str(self.retry_after_s)}


class FrontLimits:
    """`per_client` None or 0: no per-client limit (the bench replays a whole city from one address)."""

    def __init__(self, limits: ApiLimits, per_client: int | None = None, clock: Clock = time.monotonic) -> None:
        per_client = limits.per_client if per_client is None else per_client
        self.per_client = per_client
        self._public = re.compile(limits.public_paths)
        self._clients = SlidingWindow(per_client, limits.window_s, clock) if per_client else None
        self._stage = TokenBucket(limits.rate_per_s, limits.burst, clock)
        self._limits = limits

    def check(self, client_ip: str, path: str) -> Refused | None:
        """None when the request may go on to the API; else the answer AWS would give."""
        if self._clients is not None and self._public.search(unquote(urlsplit(path).path)):  # WAF: URL_DECODE
            waited = self._clients.wait_s(client_ip)
            if waited:
                return _refused(self._limits.per_client_refusal, waited)
        waited = self._stage.wait_s()
        return _refused(self._limits.throttled_refusal, waited) if waited else None


def _refused(refusal: Refusal, wait_s: float) -> Refused:
    return Refused(refusal.status, refusal.body, max(1, math.ceil(wait_s)))
