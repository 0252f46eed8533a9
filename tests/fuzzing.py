"""What every fuzzed request must get, in-process (tests/unit/test_api_fuzz.py) and over HTTP against
`tsur local` (tests/e2e/test_api_fuzz_http.py): no 5xx, a response the document describes, and every
client error in the API's shape `{error, message, fields: [{field, message}]}`."""

from __future__ import annotations

import json
from typing import Any

from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance


def is_gateway_answer(response: Any) -> bool:
    """API Gateway's (or Chalice's emulation of it) own answer to a path no route matches."""
    return "x-amzn-ErrorType" in response.headers or "x-amzn-errortype" in response.headers


def check_reply(case: Any, response: Any) -> None:
    if is_gateway_answer(response):  # a fuzzed path that matches no route: API Gateway answers itself
        assert response.status_code == 403
        return
    if case.method.upper() == case.operation.method.upper():  # not a probe with a method the path lacks
        case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                                  response_schema_conformance])
    assert response.status_code < 500
    if 400 <= response.status_code < 500:
        body = json.loads(response.content)
        assert set(body) == {"error", "message", "fields"}, body
        assert all({"field", "message"} <= set(item) for item in body["fields"]), body
