"""SQS adapter: each pipeline step has its own queue (and dead-letter queue, see infra/)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import boto3

from chalicelib.adapters.ports import MessageQueue

MAX_DELAY_S = 900  # SQS refuses longer delays


class SqsQueue(MessageQueue):
    def __init__(self, queue_urls: Mapping[str, str], client: Any = None) -> None:
        self._urls = dict(queue_urls)
        self._sqs = client or boto3.client("sqs")

    def send(self, step: str, message: dict[str, Any], delay_seconds: int = 0) -> None:
        url = self._urls.get(step)
        if not url:
            raise LookupError(f"no queue URL configured for step {step!r}")
        extra: dict[str, Any] = {"DelaySeconds": min(delay_seconds, MAX_DELAY_S)} if delay_seconds > 0 else {}
        self._sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message, ensure_ascii=False), **extra)
