"""Everything a service needs, in one place: ports plus reference data plus a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from chalicelib import reference
from chalicelib.adapters.memory import InMemoryApiKeyStore
from chalicelib.adapters.ports import (
    ApiKeyStore,
    CaseRepository,
    ExecutorDirectory,
    IdempotencyStore,
    MessageQueue,
    WebhookSender,
)
from chalicelib.domain.classifier import KeywordClassifier
from chalicelib.domain.region import Region
from chalicelib.domain.routing import Router
from chalicelib.domain.rubricator import Rubricator
from chalicelib.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Dependencies:
    cases: CaseRepository
    queue: MessageQueue
    directory: ExecutorDirectory
    idempotency: IdempotencyStore
    webhooks: WebhookSender
    settings: Settings
    region: Region = field(default_factory=reference.region)
    rubricator: Rubricator = field(default_factory=reference.rubricator)
    classifier: KeywordClassifier = field(default_factory=reference.classifier)
    router: Router = field(default_factory=reference.router)
    clock: Callable[[], datetime] = utc_now
    api_keys: ApiKeyStore = field(default_factory=InMemoryApiKeyStore)


@lru_cache(maxsize=1)
def from_environment() -> Dependencies:
    """The AWS-backed dependencies, built once per Lambda container (or local process)."""
    import boto3

    from chalicelib.adapters.dynamo import (
        DynamoCaseRepository,
        DynamoExecutorDirectory,
        DynamoIdempotencyStore,
    )
    from chalicelib.adapters.dynamo_keys import DynamoApiKeyStore
    from chalicelib.adapters.http_webhooks import UrllibWebhookSender
    from chalicelib.adapters.sqs import SqsQueue

    settings = Settings.from_env()
    dynamodb = boto3.client("dynamodb")
    return Dependencies(
        cases=DynamoCaseRepository(settings.cases_table, dynamodb),
        queue=SqsQueue(settings.queue_urls, boto3.client("sqs")),
        directory=DynamoExecutorDirectory(settings.cases_table, dynamodb),
        idempotency=DynamoIdempotencyStore(settings.idempotency_table, dynamodb),
        webhooks=UrllibWebhookSender(allow_loopback=settings.allow_loopback_webhooks),
        settings=settings,
        api_keys=DynamoApiKeyStore(settings.cases_table, dynamodb),
    )


_override: Dependencies | None = None


def current() -> Dependencies:
    """What handlers use: the AWS-backed dependencies, or a test's replacement."""
    return _override or from_environment()


def use(deps: Dependencies | None) -> None:
    """Replace the dependencies (tests, benchmarks); None goes back to the environment's."""
    global _override
    _override = deps
