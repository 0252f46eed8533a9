"""Everything a service needs, in one place: ports plus reference data plus a clock."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from chalicelib import reference
from chalicelib.adapters.memory import (
    FakeAttachmentStorage,
    InMemoryApiKeyStore,
    InMemoryDeadLetters,
    InMemoryDeliveryRepository,
    InMemoryOperatorDirectory,
    InMemoryTrainingExamples,
    RecordingMailer,
)
from chalicelib.adapters.ports import (
    ApiKeyStore,
    AttachmentStorage,
    CaseRepository,
    DeadLetterQueues,
    DeliveryRepository,
    ExecutorDirectory,
    IdempotencyStore,
    Mailer,
    MessageQueue,
    OperatorDirectory,
    TrainingExamples,
    WebhookSender,
)
from chalicelib.domain.classifier import ModelClassifier
from chalicelib.domain.delivery import Random, RetrySchedule
from chalicelib.domain.geo import Territories
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
    classifier: ModelClassifier = field(default_factory=reference.classifier)
    router: Router = field(default_factory=reference.router)
    territories: Territories = field(default_factory=reference.territories)
    clock: Callable[[], datetime] = utc_now
    api_keys: ApiKeyStore = field(default_factory=InMemoryApiKeyStore)
    mailer: Mailer = field(default_factory=RecordingMailer)
    operators: OperatorDirectory = field(default_factory=InMemoryOperatorDirectory)
    storage: AttachmentStorage = field(default_factory=FakeAttachmentStorage)
    deliveries: DeliveryRepository = field(default_factory=InMemoryDeliveryRepository)
    dead_letters: DeadLetterQueues = field(default_factory=InMemoryDeadLetters)
    training: TrainingExamples = field(default_factory=InMemoryTrainingExamples)  # operators' choices
    retry_schedule: RetrySchedule = field(default_factory=RetrySchedule)
    rng: Random = random.random  # the retries' jitter; tests inject a seeded or fixed one


@lru_cache(maxsize=1)
def from_environment() -> Dependencies:
    """The AWS-backed dependencies, built once per Lambda container (or local process)."""
    import boto3

    from chalicelib.adapters.dead_letters import SqsDeadLetters
    from chalicelib.adapters.dynamo import (
        DynamoCaseRepository,
        DynamoExecutorDirectory,
        DynamoIdempotencyStore,
    )
    from chalicelib.adapters.dynamo_deliveries import DynamoDeliveryRepository
    from chalicelib.adapters.dynamo_keys import DynamoApiKeyStore
    from chalicelib.adapters.dynamo_operators import DynamoOperatorDirectory
    from chalicelib.adapters.dynamo_training import DynamoTrainingExamples
    from chalicelib.adapters.http_webhooks import HttpWebhookSender
    from chalicelib.adapters.s3 import S3AttachmentStorage
    from chalicelib.adapters.ses import SesMailer
    from chalicelib.adapters.sqs import SqsQueue

    settings = Settings.from_env()
    dynamodb = boto3.client("dynamodb")
    sqs = boto3.client("sqs")
    return Dependencies(
        cases=DynamoCaseRepository(settings.cases_table, dynamodb, reference.region().tz),
        queue=SqsQueue(settings.queue_urls, sqs),
        directory=DynamoExecutorDirectory(settings.cases_table, dynamodb),
        idempotency=DynamoIdempotencyStore(settings.idempotency_table, dynamodb),
        webhooks=HttpWebhookSender.for_settings(settings),
        settings=settings,
        api_keys=DynamoApiKeyStore(settings.cases_table, dynamodb),
        mailer=SesMailer(settings.mail_from),
        operators=DynamoOperatorDirectory(settings.cases_table, dynamodb),
        storage=S3AttachmentStorage(settings.attachments_bucket),
        deliveries=DynamoDeliveryRepository(settings.cases_table, dynamodb),
        dead_letters=SqsDeadLetters(settings.queue_urls, sqs),
        training=DynamoTrainingExamples(settings.cases_table, dynamodb),
    )


_override: Dependencies | None = None


def current() -> Dependencies:
    """What handlers use: the AWS-backed dependencies, or a test's replacement."""
    return _override or from_environment()


def use(deps: Dependencies | None) -> None:
    """Replace the dependencies (tests, benchmarks); None goes back to the environment's."""
    global _override
    _override = deps
