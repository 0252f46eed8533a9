"""AWS on moto, in-process: the resources come from infra/template.json, as in the local stack."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.dead_letters import SqsDeadLetters
from chalicelib.adapters.dynamo import DynamoCaseRepository, DynamoExecutorDirectory, DynamoIdempotencyStore
from chalicelib.adapters.dynamo_deliveries import DynamoDeliveryRepository
from chalicelib.adapters.dynamo_keys import DynamoApiKeyStore
from chalicelib.adapters.memory import RecordingWebhookSender
from chalicelib.adapters.ports import ExecutorEndpoint
from chalicelib.adapters.sqs import SqsQueue
from chalicelib.services import deps as deps_module
from chalicelib.services.deps import Dependencies
from chalicelib.settings import QUEUES, Settings
from chalicelib.webhooks import generate_secret
from tsur.local.template import create_stack

REGION = "eu-central-1"
STAGE = "dev"  # the stage app.py's queue names take when TSUR_STAGE is unset
MAX_RECEIVES = 2


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "TSUR_STAGE"):
        monkeypatch.delenv(var, raising=False)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield


@pytest.fixture
def stack(aws: None) -> dict[str, str]:
    return create_stack(boto3.client("cloudformation"), STAGE,
                        {"QueueVisibilityTimeout": "1", "MaxReceiveCount": str(MAX_RECEIVES)})


@pytest.fixture
def moto_deps(stack: dict[str, str], clock) -> Iterator[Dependencies]:
    deps = build_moto_deps(stack, clock, boto3.client("dynamodb"))
    for executor in deps.executors.values():
        deps.directory.save_endpoint(ExecutorEndpoint(executor.id, f"https://agency.test/{executor.id}",
                                                      (generate_secret(),)))
    deps_module.use(deps)
    yield deps
    deps_module.use(None)


def build_moto_deps(stack: dict[str, str], clock, dynamodb) -> Dependencies:
    """The app's adapters on the moto stack, with the DynamoDB client given (tests inject faults in it)."""
    table = stack["CasesTableName"]
    settings = Settings(stage=STAGE, cases_table=table, idempotency_table=stack["IdempotencyTableName"],
                        attachments_bucket=stack["AttachmentsBucketName"],
                        queue_urls={s: stack[f"{s.capitalize()}QueueUrl"] for s in QUEUES})
    deps = Dependencies(cases=DynamoCaseRepository(table, dynamodb), queue=SqsQueue(settings.queue_urls),
                        directory=DynamoExecutorDirectory(table, dynamodb),
                        idempotency=DynamoIdempotencyStore(settings.idempotency_table, dynamodb),
                        webhooks=RecordingWebhookSender(), settings=settings, clock=clock,
                        deliveries=DynamoDeliveryRepository(table, dynamodb),
                        api_keys=DynamoApiKeyStore(table, dynamodb),
                        dead_letters=SqsDeadLetters(settings.queue_urls, wait_seconds=0))
    return deps
