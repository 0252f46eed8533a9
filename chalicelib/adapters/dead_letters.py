"""The queues' dead-letter queues on SQS, for operators: what is parked there, and sending it back.

Each queue `tsur-<stage>-<step>` parks messages in `tsur-<stage>-<step>-dlq` (infra/template.json), so a
dead-letter queue's URL is its source queue's URL plus `-dlq`. SQS has no "peek": listing receives the
messages with a short visibility timeout and releases them at once. Redrive sends each chosen body to
the source queue and only then deletes it from the dead-letter queue (a crash in between repeats a
message, which the consumers tolerate; it never loses one). `start_message_move_task` would move all
of them server-side, but it cannot pick messages and moto does not implement it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import boto3

from chalicelib.adapters.ports import DeadLetter, DeadLetterQueues

DLQ_SUFFIX = "-dlq"
HOLD_S = 30  # how long listed messages would stay hidden if releasing them failed
MAX_ROUNDS = 100  # ten messages a receive: at most a thousand messages per call
SQS_BATCH = 10


def dead_letter_url(queue_url: str) -> str:
    return queue_url + DLQ_SUFFIX


class SqsDeadLetters(DeadLetterQueues):
    def __init__(self, queue_urls: Mapping[str, str], client: Any = None, wait_seconds: int = 1) -> None:
        self._urls = dict(queue_urls)
        self._sqs = client or boto3.client("sqs")
        self._wait = wait_seconds  # long polling asks every SQS server; short polling may miss some

    def _source(self, step: str) -> str:
        url = self._urls.get(step)
        if not url:
            raise LookupError(f"no queue URL configured for step {step!r}")
        return url

    def count(self, step: str) -> int:
        attrs = self._sqs.get_queue_attributes(QueueUrl=dead_letter_url(self._source(step)),
                                               AttributeNames=["ApproximateNumberOfMessages"])
        return int(attrs["Attributes"]["ApproximateNumberOfMessages"])

    def peek(self, step: str, limit: int = 100) -> list[DeadLetter]:
        url = dead_letter_url(self._source(step))
        messages = self._receive(url, limit)
        self._release(url, messages)
        return [_dead_letter(m) for m in messages]

    def redrive(self, step: str, message_ids: set[str] | None = None) -> int:
        source = self._source(step)
        url = dead_letter_url(source)
        messages = self._receive(url, SQS_BATCH * MAX_ROUNDS)
        moving = [m for m in messages if message_ids is None or m["MessageId"] in message_ids]
        for message in moving:
            attributes = message.get("MessageAttributes")
            extra: dict[str, Any] = {"MessageAttributes": attributes} if attributes else {}
            self._sqs.send_message(QueueUrl=source, MessageBody=message["Body"], **extra)
            self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        moved = {m["MessageId"] for m in moving}
        self._release(url, [m for m in messages if m["MessageId"] not in moved])
        return len(moving)

    def _receive(self, url: str, limit: int) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for _ in range(MAX_ROUNDS):
            if len(found) >= limit:
                break
            batch: list[Any] = self._sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=min(SQS_BATCH, limit - len(found)), VisibilityTimeout=HOLD_S,
                WaitTimeSeconds=self._wait, AttributeNames=["All"], MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                break
            found.update((m["MessageId"], m) for m in batch)
        return list(found.values())

    def _release(self, url: str, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self._sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"],
                                                VisibilityTimeout=0)


def _dead_letter(message: Mapping[str, Any]) -> DeadLetter:
    attrs = message.get("Attributes", {})
    sent = attrs.get("SentTimestamp")
    return DeadLetter(message_id=message["MessageId"], body=message["Body"],
                      sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC) if sent else None,
                      receive_count=int(attrs.get("ApproximateReceiveCount", 0)))
