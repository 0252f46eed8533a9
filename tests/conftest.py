"""Shared fixtures: services wired to in-memory fakes, with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.memory import (
    InMemoryCaseRepository,
    InMemoryExecutorDirectory,
    InMemoryIdempotencyStore,
    InMemoryQueue,
    RecordingWebhookSender,
)
from chalicelib.adapters.ports import ExecutorEndpoint
from chalicelib.domain.social import CONNECTORS
from chalicelib.services import deps as deps_module
from chalicelib.services.deps import Dependencies
from chalicelib.settings import Settings
from chalicelib.webhooks import generate_secret


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # a Monday, 12:00 in St Petersburg


@pytest.fixture
def fake_deps(clock: Clock) -> Iterator[Dependencies]:
    directory = InMemoryExecutorDirectory()
    deps = Dependencies(
        cases=InMemoryCaseRepository(), queue=InMemoryQueue(), directory=directory,
        idempotency=InMemoryIdempotencyStore(), webhooks=RecordingWebhookSender(),
        settings=Settings(stage="test", cases_table="t", idempotency_table="i", attachments_bucket="b",
                          public_base_url="http://tsur.test"),
        clock=clock,
    )
    for target_id in [*deps.executors, *CONNECTORS]:  # every webhook target has an endpoint
        directory.save_endpoint(ExecutorEndpoint(target_id, f"http://agency.test/hooks/{target_id}",
                                                 (generate_secret(),)))
    deps_module.use(deps)
    yield deps
    deps_module.use(None)
