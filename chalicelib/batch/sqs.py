"""Process an SQS batch record by record and report the failed ones (ReportBatchItemFailures).

Only the records listed in `batchItemFailures` return to the queue; after the queue's receive count
they move to its dead-letter queue. A record that is not even valid JSON fails the same way, so a
poison message never blocks its batch-mates and is never silently dropped.

With `queue`, what the records send on is held and sent together when the batch is done
(`chalicelib.batch.outbox`); a record whose message could not be sent is reported failed as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.batch import outbox
from chalicelib.observability import log

if TYPE_CHECKING:
    from chalicelib.adapters.ports import MessageQueue

M = TypeVar("M", bound=BaseModel)


class SqsRecord(Protocol):
    body: str

    def to_dict(self) -> dict[str, Any]: ...


def process_batch(records: Iterable[SqsRecord], model: type[M], handle: Callable[[M], None],
                  queue: MessageQueue | None = None) -> dict[str, list[dict[str, str]]]:
    with outbox.collecting() if queue is not None else nullcontext(outbox.Outbox()) as held:
        failed = [message_id for record in records if (message_id := _process(record, model, handle, held))]
    if queue is not None and held.held:
        unsent = {m.origin for m in queue.send_batch(held.held)} - set(failed)
        if unsent:
            log("messages not sent; their records return to the queue", logging.ERROR, records=len(unsent))
        failed += sorted(unsent)
    _when_sent(held, set(failed))
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _when_sent(held: outbox.Outbox, failed: set[str]) -> None:
    """The actions of the records that are done and whose messages all went out."""
    for origin, action in held.when_sent:
        if origin in failed:
            continue
        try:
            action()
        except Exception:
            log("action after the batch's sends failed", logging.WARNING, message_id=origin, exc_info=True)


def _process(record: SqsRecord, model: type[M], handle: Callable[[M], None], held: outbox.Outbox) -> str | None:
    """None when the record is done, else its message id (for `batchItemFailures`)."""
    raw = record.to_dict()
    message_id = raw.get("messageId", "")
    held.origin = message_id
    held.redelivered = int(raw.get("attributes", {}).get("ApproximateReceiveCount", "1") or 1) > 1
    try:
        handle(model.model_validate_json(record.body))
        return None
    except ValidationError:
        log("malformed message; left for the dead-letter queue", logging.ERROR, message_id=message_id)
    except Exception:
        log("record failed; SQS will retry it", logging.ERROR, message_id=message_id, exc_info=True)
    return message_id
