"""Faults injected into the pipeline on moto: DynamoDB throttling (a botocore `before-send` hook answers
in DynamoDB's place), a competing writer on a busy case, a worker dying in the middle of a batch, an
executor's endpoint failing. Nothing may be lost, nothing done twice, and nothing left stuck."""

from __future__ import annotations

import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from app import app
from chalicelib.adapters.memory import RecordingWebhookSender
from chalicelib.adapters.ports import HttpResult
from chalicelib.api.schemas import AppealIn, StepMessage
from chalicelib.domain.statuses import Status
from chalicelib.services import consistency, intake, steps, sweeper
from chalicelib.services import deps as deps_module
from chalicelib.services.pipeline import run_step
from tests.integration.conftest import STAGE, build_moto_deps
from tsur.local.app_loader import sqs_pollers
from tsur.local.moto_sqs import retention_check_without_recount
from tsur.local.moto_transactions import rollback_only_touched_items
from tsur.local.sqs_poller import SqsPoller

SDK_ATTEMPTS = 3  # few, so that some throttled calls run out of SDK retries and fall back on SQS
VISIBILITY_S = 1.1  # the stack's visibility timeout in these tests, and a little more
THROTTLED = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                        "message": "Rate of requests exceeds the allowed throughput."}).encode()


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_kwargs: object):
        yield self.data


class DynamoFaults:
    """Registered first on `before-send`; a throttled request changes nothing, as in DynamoDB. `rate`
    throttles at random (seeded), `burst` throttles the next N requests of the operations in `only`;
    `before` runs once before the first request of `only`."""

    def __init__(self, rate: float = 0.0, seed: int = 8) -> None:
        self.rate = rate
        self.rng = random.Random(seed)
        self.burst = 0
        self.only: set[str] = set()
        self.before: Callable[[], None] | None = None
        self.requests: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()

    def __call__(self, request, **_kwargs: object):
        # botocore calls every before-send handler and takes the first answer, so moto would still run a
        # request we answer; we point it at a URL moto does not serve, and back before the SDK's retry.
        request.url = getattr(request, "real_url", request.url)
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
        self.requests[operation] += 1
        if self.only and operation not in self.only:
            return None
        if self.before is not None:
            before, self.before = self.before, None
            before()
        if self.burst > 0 or self.rng.random() < self.rate:
            self.burst = max(0, self.burst - 1)
            self.throttled[operation] += 1
            request.real_url, request.url = request.url, "https://throttled.invalid/"
            return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, _Body(THROTTLED))
        return None


class FlakyEndpoint(RecordingWebhookSender):
    """The executors' endpoint answering 500 to a share of the requests (seeded)."""

    def __init__(self, failure_rate: float, seed: int = 3) -> None:
        super().__init__()
        self.failure_rate = failure_rate
        self.rng = random.Random(seed)
        self.accepted: Counter[str] = Counter()

    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        self.status = 500 if self.rng.random() < self.failure_rate else 204
        result = super().post(url, headers, body)
        if result.status == 204:
            self.accepted[headers["webhook-id"]] += 1
        return result


@pytest.fixture(autouse=True)
def _fast_transactions():
    """Without it the 200-appeal test takes minutes (see tsur/local/moto_transactions.py)."""
    with rollback_only_touched_items(), retention_check_without_recount():
        yield


@pytest.fixture
def faults(moto_deps, stack, clock):
    """The app's dependencies on a DynamoDB client with the fault hook and few SDK retries."""
    injector = DynamoFaults()
    client = boto3.client("dynamodb", config=Config(retries={"mode": "legacy", "total_max_attempts": SDK_ATTEMPTS}))
    client.meta.events.register_first("before-send.dynamodb", injector)
    faulty = build_moto_deps(stack, clock, client)
    faulty.webhooks = FlakyEndpoint(0.0)
    faulty.rng = lambda: 0.0  # the webhook retry schedule's jitter: retries come at once
    deps_module.use(faulty)
    yield injector, faulty
    deps_module.use(moto_deps)


@pytest.fixture
def pollers(moto_deps):
    return sqs_pollers(app, boto3.client("sqs"), STAGE, wait_seconds=0)


def pump(pollers, done: Callable[[], bool], max_rounds: int = 60, quiet_rounds: int = 3) -> None:
    """Poll every queue; when nothing arrives, wait out the visibility timeout (retried messages come back)
    until `done()`, or nothing has come for `quiet_rounds` in a row."""
    quiet = 0
    for _ in range(max_rounds):
        if sum(p.poll_once().received for p in pollers):
            quiet = 0
            continue
        quiet += 1
        if done() or quiet >= quiet_rounds:
            return
        time.sleep(VISIBILITY_S)


def submit(deps, count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    ids = []
    for n in range(count):
        text = f"Во дворе дома {n} не вывозят мусор, контейнеры переполнены уже {rng.randint(2, 9)} дней"
        appeal = AppealIn(text=text, municipality=rng.choice(["nevsky", "kirovsky", "primorsky", "vyborgsky"]))
        for _attempt in range(5):  # what the widget does when the API answers 500: send again
            try:
                ids.append(intake.submit_appeal(deps, appeal).id)
                break
            except ClientError:
                continue
    return ids


def all_delivered(deps, ids: list[str]) -> Callable[[], bool]:
    return lambda: all((c := deps.cases.get(i)) is not None and c.status is Status.ASSIGNED and
                       c.pending_step is None and deps.webhooks.accepted.get(f"msg_{i}_1") for i in ids)


def event_kinds(table: str) -> dict[str, Counter[str]]:
    """Every case's event kinds, in one scan: moto answers each query by reading the whole table, so 1,000
    `events()` calls took minutes. A client without the fault hook: this is the test looking, not the app."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(
        TableName=table, FilterExpression="begins_with(sk, :evt)", ExpressionAttributeValues={":evt": {"S": "EVT#"}})
    for page in pages:
        for item in page["Items"]:
            kinds[item["pk"]["S"].removeprefix("CASE#")][item["kind"]["S"]] += 1
    return kinds


def assert_each_delivered_once(deps, ids: list[str]) -> None:
    assert {deps.cases.get(i).status for i in ids} == {Status.ASSIGNED}
    assert {h["webhook-id"] for _, h, _ in deps.webhooks.requests} == {f"msg_{i}_1" for i in ids}
    assert set(deps.webhooks.accepted.values()) == {1} and len(deps.webhooks.accepted) == len(ids)
    kinds_of = event_kinds(deps.settings.cases_table)
    for case_id in ids:
        kinds = kinds_of[case_id]
        assert kinds["classified"] == 1 and kinds["delivered"] == 1, (case_id, kinds)
    assert consistency.check(deps).ok


def test_throttled_dynamodb_calls_are_retried_by_the_sdk_and_nothing_is_lost_or_doubled(faults, pollers):
    injector, deps = faults
    injector.rate = 0.15
    ids = submit(deps, 20)
    pump(pollers, all_delivered(deps, ids))
    assert sum(injector.throttled.values()) > 10
    assert len(ids) == 20
    assert_each_delivered_once(deps, ids)


def test_throttling_beyond_the_sdk_retries_returns_the_message_to_sqs_and_it_is_done_once(faults, pollers):
    injector, deps = faults
    ids = submit(deps, 3)
    injector.only, injector.burst = {"TransactWriteItems"}, SDK_ATTEMPTS * 2  # two steps give up
    pump(pollers, all_delivered(deps, ids))
    assert injector.throttled["TransactWriteItems"] == SDK_ATTEMPTS * 2
    assert_each_delivered_once(deps, ids)


def test_a_competing_writer_on_a_busy_case_makes_the_step_rerun_on_the_fresh_case(faults, pollers, moto_deps):
    injector, deps = faults
    case_id, = submit(deps, 1)
    message = StepMessage(case_id=case_id, correlation_id="c", step="intake")
    # Another worker (a duplicate message, through a clean client) finishes the step between our worker's
    # read of the case and its conditional write.
    injector.only = {"TransactWriteItems"}
    injector.before = lambda: run_step(moto_deps, message, "intake", steps.screen)
    pump(pollers, all_delivered(deps, [case_id]))
    assert injector.before is None
    assert [e.kind for e in deps.cases.events(case_id)].count("screened") == 1
    assert_each_delivered_once(deps, [case_id])


def test_a_worker_dying_mid_batch_gets_the_rest_redelivered_and_each_done_once(faults, stack, pollers):
    _, deps = faults
    ids = submit(deps, 10)
    real = app.handler_map["on_intake"]

    def dies_after_half(event, context):
        real({"Records": event["Records"][:5]}, context)
        raise MemoryError("the function ran out of memory")  # nothing of the batch gets deleted

    crashing = SqsPoller(boto3.client("sqs"), stack["IntakeQueueUrl"], dies_after_half,
                         function_name="on_intake", wait_seconds=0)
    assert crashing.poll_once().error
    pump(pollers, all_delivered(deps, ids))
    assert_each_delivered_once(deps, ids)


@pytest.mark.timeout(1200)  # about six minutes here: moto's queries read every item, and the table grows
def test_a_thousand_appeals_under_faults_are_each_delivered_exactly_once_and_none_is_stuck(
        faults, pollers, stack, clock):
    injector, deps = faults
    injector.rate = 0.05
    deps.webhooks.failure_rate = 0.1
    crashed = {"left": 3}
    real = app.handler_map["on_classify"]

    def sometimes_dies(event, context):
        if crashed["left"] and len(event["Records"]) > 1:
            crashed["left"] -= 1
            real({"Records": event["Records"][:1]}, context)
            raise TimeoutError("Task timed out")
        return real(event, context)

    classify = next(p for p in pollers if p.queue_url.endswith("classify"))
    pollers = [p for p in pollers if p is not classify] + [
        SqsPoller(boto3.client("sqs"), classify.queue_url, sometimes_dies, function_name="on_classify",
                  wait_seconds=0)]
    ids = []
    for chunk in range(20):  # submitted while the pipeline runs: 50 at a time, the queues polled in between
        ids += submit(deps, 50, seed=chunk)
        for poller in pollers:
            poller.poll_once()
    pump(pollers, all_delivered(deps, ids), max_rounds=400)
    # A message that failed MaxReceiveCount times (2 here) is in its dead-letter queue; its case still waits
    # for the step, and the sweeper sends it again once it has waited longer than SQS's retries take.
    clock.advance(minutes=16)
    sweeper.sweep_pending(deps)
    pump(pollers, all_delivered(deps, ids))
    assert len(ids) == 1000 and crashed["left"] == 0
    assert sum(injector.throttled.values()) > 250
    assert_each_delivered_once(deps, ids)
