"""The local SQS poller behaves like Lambda's SQS event source with ReportBatchItemFailures, against moto
in server mode (the way `tsur local` runs it)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from chalice import Chalice
from chalice.app import SQSEvent

from tsur.local.aws import client, free_port, start_moto
from tsur.local.sqs_poller import SqsPoller

VISIBILITY_S = 1


@pytest.fixture(scope="module")
def sqs() -> Iterator[Any]:
    port = free_port()
    server = start_moto(port)
    yield client("sqs", f"http://127.0.0.1:{port}")
    server.stop()


@pytest.fixture
def queues(sqs: Any) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    dlq_url = sqs.create_queue(QueueName=f"dlq-{suffix}")["QueueUrl"]
    dlq_attrs = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
    dlq_arn = dlq_attrs["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url = sqs.create_queue(QueueName=f"work-{suffix}", Attributes={
        "VisibilityTimeout": str(VISIBILITY_S), "RedrivePolicy": redrive})["QueueUrl"]
    return url, dlq_url


class Recorder:
    """A tiny Chalice app whose SQS handler fails the messages whose body is "bad"."""

    def __init__(self, raise_error: bool = False) -> None:
        self.records: list[dict[str, Any]] = []
        self.app = Chalice(app_name="poller-test")
        self.raise_error = raise_error

        @self.app.on_sqs_message(queue="work", batch_size=10)
        def work(event: SQSEvent) -> dict[str, Any]:
            self.records.extend(record.to_dict() | {"parsed_body": record.body} for record in event)
            if self.raise_error:
                raise RuntimeError("handler broke")
            return {"batchItemFailures": [{"itemIdentifier": r.to_dict()["messageId"]}
                                          for r in event if r.body == "bad"]}

    def poller(self, sqs: Any, url: str) -> SqsPoller:
        return SqsPoller(sqs, url, self.app.handler_map["work"], function_name="work")


def bodies(sqs: Any, url: str) -> list[str]:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return sorted(m["Body"] for m in got.get("Messages", []))


def test_reported_failure_is_redelivered_then_dead_lettered(sqs: Any, queues: tuple[str, str]) -> None:
    url, dlq_url = queues
    recorder = Recorder()
    for body in ("a", "bad", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)

    first = recorder.poller(sqs, url).poll_once()
    assert (first.received, first.deleted, first.kept) == (3, 2, 1)
    assert sorted(r["parsed_body"] for r in recorder.records) == ["a", "bad", "c"]

    time.sleep(VISIBILITY_S + 0.2)
    second = recorder.poller(sqs, url).poll_once()
    assert (second.received, second.kept) == (1, 1)
    assert recorder.records[-1]["parsed_body"] == "bad"
    assert recorder.records[-1]["attributes"]["ApproximateReceiveCount"] == "2"

    time.sleep(VISIBILITY_S + 0.2)
    assert recorder.poller(sqs, url).poll_once().received == 0
    assert bodies(sqs, dlq_url) == ["bad"]


def test_handler_exception_deletes_nothing(sqs: Any, queues: tuple[str, str]) -> None:
    url, _ = queues
    recorder = Recorder(raise_error=True)
    for body in ("x", "y"):
        sqs.send_message(QueueUrl=url, MessageBody=body)

    result = recorder.poller(sqs, url).poll_once()
    assert (result.received, result.deleted, result.kept) == (2, 0, 2)
    assert result.error is not None and "handler broke" in result.error

    time.sleep(VISIBILITY_S + 0.2)
    assert bodies(sqs, url) == ["x", "y"]


def test_unknown_failure_identifier_keeps_the_whole_batch(sqs: Any, queues: tuple[str, str]) -> None:
    url, _ = queues
    sqs.send_message(QueueUrl=url, MessageBody="ok")
    poller = SqsPoller(sqs, url, lambda event, context: {"batchItemFailures": [{"itemIdentifier": "nope"}]},
                       function_name="work")
    assert poller.poll_once().deleted == 0
    time.sleep(VISIBILITY_S + 0.2)
    assert bodies(sqs, url) == ["ok"]


def test_event_has_the_lambda_sqs_shape(sqs: Any, queues: tuple[str, str]) -> None:
    url, _ = queues
    recorder = Recorder()
    sqs.send_message(QueueUrl=url, MessageBody='{"case": 1}', MessageAttributes={
        "trace": {"DataType": "String", "StringValue": "t-1"}})
    poller = recorder.poller(sqs, url)
    assert poller.poll_once().deleted == 1

    record = recorder.records[0]
    assert record["parsed_body"] == '{"case": 1}'
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == poller.queue_arn
    assert record["awsRegion"] == "eu-central-1"
    assert record["messageAttributes"]["trace"]["stringValue"] == "t-1"
    assert record["messageAttributes"]["trace"]["dataType"] == "String"
    assert {"messageId", "receiptHandle", "md5OfBody"} <= record.keys()
    assert bodies(sqs, url) == []


def test_run_processes_messages_and_stops_promptly(sqs: Any, queues: tuple[str, str]) -> None:
    url, _ = queues
    recorder = Recorder()
    stop = threading.Event()
    thread = threading.Thread(target=recorder.poller(sqs, url).run, args=(stop,))
    thread.start()
    sqs.send_message(QueueUrl=url, MessageBody="later")
    deadline = time.monotonic() + 5
    while not recorder.records and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=3)
    assert [r["parsed_body"] for r in recorder.records] == ["later"]
    assert not thread.is_alive()
