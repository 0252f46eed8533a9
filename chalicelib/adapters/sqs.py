"""SQS adapter: each pipeline step has its own queue (and dead-letter queue, see infra/).

What a consumer's batch sends on goes out at the batch's end (`chalicelib.batch.outbox`): grouped by
queue, ten messages to a `SendMessageBatch`. The entries SQS refuses, or a whole batch request that
fails, are sent again one at a time; what still fails is returned, and its records are reported failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby
from typing import Any

import boto3

from chalicelib.adapters.ports import MessageQueue, OutgoingMessage
from chalicelib.observability import log

MAX_DELAY_S = 900  # SQS refuses longer delays
MAX_BATCH = 10  # entries per SendMessageBatch
MAX_BATCH_BYTES = 256 * 1024  # the payload of one SendMessageBatch


class SqsQueue(MessageQueue):
    def __init__(self, queue_urls: Mapping[str, str], client: Any = None) -> None:
        self._urls = dict(queue_urls)
        self._sqs: Any = client or boto3.client("sqs")

    def send_now(self, outgoing: OutgoingMessage) -> None:
        self._sqs.send_message(QueueUrl=self._url(outgoing.step), **_entry(outgoing))

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[OutgoingMessage]:
        failed: list[OutgoingMessage] = []
        for chunk in _chunks(messages):
            failed += self._send_chunk(chunk)
        return failed

    def _send_chunk(self, chunk: list[OutgoingMessage]) -> list[OutgoingMessage]:
        entries = [{"Id": str(n), **_entry(m)} for n, m in enumerate(chunk)]
        try:
            reply = self._sqs.send_message_batch(QueueUrl=self._url(chunk[0].step), Entries=entries)
            refused = [chunk[int(f["Id"])] for f in reply.get("Failed", [])]
        except Exception:
            log("SendMessageBatch failed; sending one at a time", logging.WARNING, next_step=chunk[0].step,
                messages=len(chunk), exc_info=True)
            refused = chunk
        if refused and len(refused) < len(chunk):
            log("SendMessageBatch refused some entries; sending them one at a time", logging.WARNING,
                next_step=chunk[0].step, refused=len(refused))
        return super().send_batch(refused)

    def _url(self, step: str) -> str:
        url = self._urls.get(step)
        if not url:
            raise LookupError(f"no queue URL configured for step {step!r}")
        return url


def _entry(outgoing: OutgoingMessage) -> dict[str, Any]:
    entry: dict[str, Any] = {"MessageBody": json.dumps(outgoing.message, ensure_ascii=False)}
    if outgoing.delay_seconds > 0:
        entry["DelaySeconds"] = min(outgoing.delay_seconds, MAX_DELAY_S)
    return entry


def _chunks(messages: Sequence[OutgoingMessage]) -> Iterator[list[OutgoingMessage]]:
    """Per queue, in order: at most MAX_BATCH messages and MAX_BATCH_BYTES of bodies each."""
    for _, same_queue in groupby(sorted(messages, key=lambda m: m.step), key=lambda m: m.step):
        chunk: list[OutgoingMessage] = []
        size = 0
        for message in same_queue:
            body = len(_entry(message)["MessageBody"].encode())
            if chunk and (len(chunk) == MAX_BATCH or size + body > MAX_BATCH_BYTES):
                yield chunk
                chunk, size = [], 0
            chunk.append(message)
            size += body
        if chunk:
            yield chunk
