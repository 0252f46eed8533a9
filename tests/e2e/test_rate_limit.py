"""`tsur local --rate-limit N`: the N+1th request to a public path from one address within the window is
answered 429, as WAF answers in AWS; another address, and the paths outside the rule, are unaffected."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.e2e.conftest import Stack
from tsur.local.template import api_limits

pytestmark = pytest.mark.e2e

LIMIT = 3
STACK_ARGS = ("--rate-limit", str(LIMIT), "--no-demo-data")
APPEAL = {"text": "Во дворе дома 5 не вывозят мусор, контейнеры переполнены", "municipality": "nevsky"}


def request(stack: Stack, method: str, path: str, source: str = "127.0.0.1", body: dict | None = None
            ) -> tuple[int, dict[str, str], bytes]:
    """From `source`: every 127.x.y.z is this machine, so each stands for another client."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, body=json.dumps(body) if body else None,
                           headers={"Content-Type": "application/json"})
        reply = connection.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        connection.close()


def test_the_request_over_the_limit_is_refused_and_another_client_is_not(stack: Stack) -> None:
    statuses = [request(stack, "POST", "/v1/appeals", body=APPEAL)[0] for _ in range(LIMIT)]
    assert statuses == [202] * LIMIT
    status, headers, body = request(stack, "POST", "/v1/appeals", body=APPEAL)
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= api_limits().window_s
    assert headers["Content-Type"].startswith("application/json")
    refusal = json.loads(body)
    assert set(refusal) == {"error", "message", "fields"} and refusal["error"] == "rate_limited"
    assert body == api_limits().per_client_refusal.body  # what WAF answers, from the template
    assert request(stack, "GET", "/v1/appeals/c_unknown", body=None)[0] == 429  # the whole public path

    assert request(stack, "POST", "/v1/appeals", source="127.0.0.2", body=APPEAL)[0] == 202
    assert request(stack, "GET", "/v1/sectors")[0] == 200  # outside the rule's paths
    assert request(stack, "GET", "/health")[0] == 200
    assert request(stack, "GET", "/api/")[0] == 200  # the pages are not the API
