"""Everything a service needs, in one place: ports plus reference data plus a clock."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from chalicelib import reference
from chalicelib.adapters.memory import (
    FakeAttachmentStorage,
    InMemoryApiKeyStore,
    InMemoryDeadLetters,
    InMemoryDeliveryRepository,
    InMemoryOperatorDirectory,
    InMemoryRoutingRules,
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
    RoutingRulesStore,
    TrainingExamples,
    WebhookSender,
)
from chalicelib.domain.classifier import ModelClassifier
from chalicelib.domain.delivery import Random, RetrySchedule
from chalicelib.domain.geo import Territories
from chalicelib.domain.region import Executor, Region
from chalicelib.domain.routing import Router
from chalicelib.domain.routing_rules import ActiveRouting, RoutingRulesError, activate, parse_document
from chalicelib.domain.rubricator import Rubricator
from chalicelib.observability import log
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
    routing_rules: RoutingRulesStore = field(default_factory=InMemoryRoutingRules)  # rules operators loaded
    _active: tuple[Any, ActiveRouting] | None = field(default=None, init=False, repr=False, compare=False)

    def routing(self) -> ActiveRouting:
        """What routes cases now: the rules an operator loaded (`tsur routing load`; read through a short
        cache in AWS), else the region file's. `region` and `router` are the region file's."""
        loaded = self.routing_rules.current()
        if loaded is None:
            return ActiveRouting(self.region, self.router)
        key = (loaded.version, id(self.region), id(self.rubricator))
        if self._active is None or self._active[0] != key:
            self._active = (key, self._activate(loaded.document, loaded.version))
        return self._active[1]

    def _activate(self, document: dict[str, Any], version: int) -> ActiveRouting:
        try:
            return activate(parse_document(document, self.region, self.rubricator), self.region, self.rubricator,
                            version)
        except RoutingRulesError as exc:  # say the rubricator lost a category the rules name
            log("loaded routing rules no longer fit; the region file's rules apply", level=logging.ERROR,
                version=version, errors=exc.errors[:20])
            return ActiveRouting(self.region, self.router)

    @property
    def executors(self) -> Mapping[str, Executor]:
        """The region's executors and those loaded with the routing rules."""
        return self.routing().region.executors


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
    from chalicelib.adapters.dynamo_routing import CachedRoutingRules, DynamoRoutingRules
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
        routing_rules=CachedRoutingRules(DynamoRoutingRules(settings.cases_table, dynamodb)),
    )


_override: Dependencies | None = None


def current() -> Dependencies:
    """What handlers use: the AWS-backed dependencies, or a test's replacement."""
    return _override or from_environment()


def use(deps: Dependencies | None) -> None:
    """Replace the dependencies (tests, benchmarks); None goes back to the environment's."""
    global _override
    _override = deps
