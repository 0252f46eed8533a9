"""moto's SQS made to receive in time proportional to the queue, for the local stack and tests.

moto checks each message's retention period on receive by building all of the queue's attributes, the
approximate message counts among them, each a pass over every message. A receive on a queue of n
messages then costs n² steps: at 800 queued messages one `ReceiveMessage` takes seconds. Reading the
retention period itself gives the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def retention_check_without_recount() -> Iterator[None]:
    import moto.sqs.models as models
    from moto.core.utils import unix_time

    original = models.SQSBackend.is_message_valid_based_on_retention_period

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        retention_s = float(self.get_queue(queue_name).message_retention_period)
        return bool(retention_s + message.sent_timestamp / 1000 > unix_time())

    name = "is_message_valid_based_on_retention_period"
    setattr(models.SQSBackend, name, is_message_valid_based_on_retention_period)
    try:
        yield
    finally:
        setattr(models.SQSBackend, name, original)
