"""SQS adapter: each pipeline step has its own queue (and dead-letter queue, see infra/)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import boto3

from chalicelib.adapters.ports import MessageQueue


class SqsQueue(MessageQueue):
    def __init__(self, queue_urls: Mapping[str, str], client: Any = None) -> None:
        self._urls = dict(queue_urls)
        self._sqs = client or boto3.client("sqs")

    def send(self, step: str, message: dict[str, Any]) -> None:
        url = self._urls.get(step)
        if not url:
            raise LookupError(f"no queue URL configured for step {step!r}")
        self._sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message, ensure_ascii=False))
