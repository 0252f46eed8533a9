"""The app's own SQS handlers fed by real SQS semantics (moto): batches, retries, dead-letter queues."""

import json
import time

import boto3
import pytest

from app import app
from chalicelib.api.schemas import AppealIn
from chalicelib.domain.statuses import Status
from chalicelib.services import deliveries, intake
from tests.integration.conftest import MAX_RECEIVES, STAGE
from tsur.local.app_loader import schedule_runners, sqs_pollers

GARBAGE = AppealIn(text="Во дворе дома 5 не вывозят мусор, контейнеры переполнены", municipality="nevsky")


@pytest.fixture
def pollers(moto_deps):
    return {p.queue_url.rsplit("-", 1)[-1]: p for p in sqs_pollers(app, boto3.client("sqs"), STAGE, wait_seconds=0)}


def pump(pollers, rounds=12):
    """Poll every queue until nothing moves for a whole round."""
    for _ in range(rounds):
        if sum(p.poll_once().received for p in pollers.values()) == 0:
            return


def dlq_bodies(stack, step):
    url = stack[f"{step.capitalize()}DeadLetterQueueUrl"]
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [m["Body"] for m in messages]


def test_an_appeal_travels_every_queue_to_the_executor(moto_deps, pollers):
    accepted = intake.submit_appeal(moto_deps, GARBAGE)
    pump(pollers)
    case = moto_deps.cases.get(accepted.id)
    assert case.status is Status.ASSIGNED and case.pending_step is None
    assert len(moto_deps.webhooks.requests) == 1


def test_the_same_message_delivered_twice_has_one_effect(moto_deps, pollers, stack):
    accepted = intake.submit_appeal(moto_deps, GARBAGE)
    body = json.dumps({"case_id": accepted.id, "correlation_id": "c", "step": "intake"})
    boto3.client("sqs").send_message(QueueUrl=stack["IntakeQueueUrl"], MessageBody=body)  # a duplicate
    pump(pollers)
    kinds = [e.kind for e in moto_deps.cases.events(accepted.id)]
    assert kinds.count("classified") == 1 and kinds.count("delivered") == 1
    assert len(moto_deps.webhooks.requests) == 1


def test_a_poison_message_ends_in_the_dead_letter_queue_and_its_batch_mates_are_processed(
        moto_deps, pollers, stack):
    sqs = boto3.client("sqs")
    good = [intake.submit_appeal(moto_deps, GARBAGE) for _ in range(3)]
    sqs.send_message(QueueUrl=stack["IntakeQueueUrl"], MessageBody="{this is not json")
    for _ in range(MAX_RECEIVES + 1):
        pump(pollers)
        time.sleep(1.1)  # the queue's visibility timeout in these tests
    pump(pollers)
    assert all(moto_deps.cases.get(a.id).status is Status.ASSIGNED for a in good)
    assert dlq_bodies(stack, "intake") == ["{this is not json"]


def test_a_failing_executor_endpoint_is_retried_then_parked_for_operators_who_replay_it(
        moto_deps, pollers, stack, clock):
    moto_deps.webhooks.status = 500
    moto_deps.rng = lambda: 0.0  # every jittered wait is zero, so the retries follow at once…
    accepted = intake.submit_appeal(moto_deps, GARBAGE)
    pump(pollers, rounds=30)
    attempts = [e for e in moto_deps.cases.events(accepted.id) if e.kind == "delivery_attempt"]
    assert len(attempts) == 10 and {a.data["status"] for a in attempts} == {500}  # …but the last waits a day
    assert moto_deps.cases.get(accepted.id).pending_step is None  # the case does not wait for the receiver
    clock.advance(hours=24)
    sweep, = [r for r in schedule_runners(app, STAGE, 60) if r.name.endswith("sweep_deliveries")]
    assert sweep.run_once() == {"sent": 1, "parked": 0}
    pump(pollers)
    parked, = deliveries.listing(moto_deps, "parked")
    assert (parked.case_id, parked.attempt_count) == (accepted.id, 11)
    assert dlq_bodies(stack, "notify") == []  # the delivery is parked, not its messages
    moto_deps.webhooks.status = 204
    deliveries.replay(moto_deps, parked.id)
    pump(pollers)
    assert deliveries.listing(moto_deps, "parked") == []
    assert [e.kind for e in moto_deps.cases.events(accepted.id)][-1] == "delivered"
    assert {h["webhook-id"] for _, h, _ in moto_deps.webhooks.requests} == {parked.id}
    assert len(moto_deps.webhooks.requests) == 12


def test_a_batch_sends_its_next_steps_in_one_request(moto_deps, pollers):
    accepted = [intake.submit_appeal(moto_deps, GARBAGE) for _ in range(5)]
    calls: list[str] = []
    moto_deps.queue._sqs.meta.events.register("after-call.sqs", lambda model, **_: calls.append(model.name))
    assert pollers["intake"].poll_once().received == 5
    assert calls == ["SendMessageBatch"]  # five cases to classify, one request
    assert {moto_deps.cases.get(a.id).pending_step for a in accepted} == {"classify"}
    pump(pollers)
    assert {moto_deps.cases.get(a.id).status for a in accepted} <= {Status.ASSIGNED, Status.LINKED}
    assert calls.count("SendMessage") == 0
