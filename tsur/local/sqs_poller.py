"""An SQS event source mapping, done by hand: receive a batch, invoke the handler, delete what succeeded.

Semantics follow Lambda with `ReportBatchItemFailures`: a `{"batchItemFailures": [...]}` answer keeps the
listed messages (they reappear after the visibility timeout and, after `maxReceiveCount` receives, SQS moves
them to the dead-letter queue — moto does this in server mode too, on the next receive); any other answer
deletes the whole batch; an exception, or a failure list naming an unknown message, keeps the whole batch.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tsur.local.runtime import LOCAL_REGION, lambda_context, log

SQS_MAX_BATCH = 10  # ReceiveMessage and DeleteMessageBatch take at most ten
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class PollResult:
    received: int = 0
    deleted: int = 0
    kept: int = 0
    error: str | None = None


def lambda_message_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """SQS API message attributes → the camelCase shape a Lambda SQS record carries."""
    converted: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        binary = value.get("BinaryValue")
        converted[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode() if binary is not None else None,
            "stringListValues": list(value.get("StringListValues", [])),
            "binaryListValues": [base64.b64encode(b).decode() for b in value.get("BinaryListValues", [])],
            "dataType": value["DataType"],
        }
    return converted


def lambda_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": lambda_message_attributes(message.get("MessageAttributes", {})),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def failed_message_ids(response: Any, message_ids: set[str]) -> set[str]:
    """Which messages to keep, read from a handler's return value the way Lambda reads it."""
    if not isinstance(response, Mapping) or response.get("batchItemFailures") is None:
        return set()
    failures = response["batchItemFailures"]
    if not isinstance(failures, list):
        return set(message_ids)
    kept: set[str] = set()
    for failure in failures:
        item = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if item not in message_ids:
            log.error("batchItemFailures names an unknown message %r: the whole batch fails", item)
            return set(message_ids)
        kept.add(item)
    return kept


class SqsPoller:
    """Feeds one queue to one handler. `poll_once()` does a single receive/invoke/delete round."""

    def __init__(self, sqs: Any, queue_url: str, handler: Handler, *, function_name: str,
                 batch_size: int = SQS_MAX_BATCH, wait_seconds: int = 1, region: str = LOCAL_REGION) -> None:
        self._sqs = sqs
        self.queue_url = queue_url
        self._handler = handler
        self.function_name = function_name
        self._batch_size = max(1, min(batch_size, SQS_MAX_BATCH))
        self._wait_seconds = wait_seconds
        self._region = region
        self._queue_arn: str | None = None

    @property
    def queue_arn(self) -> str:
        if self._queue_arn is None:
            attrs = self._sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
            self._queue_arn = str(attrs["Attributes"]["QueueArn"])
        return self._queue_arn

    def poll_once(self) -> PollResult:
        messages = self._sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=self._batch_size, WaitTimeSeconds=self._wait_seconds,
            AttributeNames=["All"], MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return PollResult()
        event = {"Records": [lambda_record(m, self.queue_arn, self._region) for m in messages]}
        try:
            response = self._handler(event, lambda_context(self.function_name))
        except Exception as exc:
            log.exception("%s failed on a batch of %d; the messages stay in the queue", self.function_name,
                          len(messages))
            return PollResult(received=len(messages), kept=len(messages), error=repr(exc))
        kept = failed_message_ids(response, {m["MessageId"] for m in messages})
        done = [m for m in messages if m["MessageId"] not in kept]
        self._delete(done)
        if kept:
            log.warning("%s reported %d of %d messages as failed", self.function_name, len(kept), len(messages))
        return PollResult(received=len(messages), deleted=len(done), kept=len(kept))

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), SQS_MAX_BATCH):
            chunk = messages[start:start + SQS_MAX_BATCH]
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
            result = self._sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
            for failure in result.get("Failed", []):
                log.error("could not delete a message from %s: %s", self.queue_url, failure.get("Message"))

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; a round that fails (e.g. moto going away) is logged and retried."""
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:
                if stop.is_set():
                    break
                log.error("polling %s failed: %s", self.queue_url, exc)
                stop.wait(1.0)
