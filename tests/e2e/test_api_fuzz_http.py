"""Schemathesis against `tsur local` as a process, over real HTTP: the document it serves at
/openapi.json, a few valid and a few invalid examples per operation (the in-process run,
tests/unit/test_api_fuzz.py, makes more). Chalice's local server, moto and the pipeline behind the
API answer, not fakes."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.e2e.conftest import Stack
from tests.fuzzing import check_reply

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = 4  # per operation and mode; about 50 operations, under a minute with the stack's start


def fuzz(operation: Any, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        check_reply(case, case.call(timeout=15))

    run()


def test_over_http_no_server_error_and_every_client_error_has_the_error_shape(stack: Stack) -> None:
    served = schemathesis.openapi.from_url(f"{stack.api}/openapi.json")
    failures, fuzzed = [], 0
    for result in served.get_all_operations():
        operation = result.ok()
        for mode in GenerationMode:
            try:
                fuzz(operation, mode)
                fuzzed += 1
            except Unsatisfiable:  # nothing to make invalid: no parameters, no body
                continue
            except (Exception, BaseExceptionGroup) as exc:  # the falsifying example's failures
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}")
    assert fuzzed > 60, fuzzed  # every operation valid, most also invalid
    assert not failures, "\n\n".join(failures)
