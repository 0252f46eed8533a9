"""Process an SQS batch record by record and report the failed ones (ReportBatchItemFailures).

Only the records listed in `batchItemFailures` return to the queue; after the queue's receive count
they move to its dead-letter queue. A record that is not even valid JSON fails the same way, so a
poison message never blocks its batch-mates and is never silently dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.observability import log

M = TypeVar("M", bound=BaseModel)


class SqsRecord(Protocol):
    body: str

    def to_dict(self) -> dict[str, Any]: ...


def process_batch(records: Iterable[SqsRecord], model: type[M],
                  handle: Callable[[M], None]) -> dict[str, list[dict[str, str]]]:
    failures: list[dict[str, str]] = []
    for record in records:
        message_id = record.to_dict().get("messageId", "")
        try:
            handle(model.model_validate_json(record.body))
        except ValidationError:
            log("malformed message; left for the dead-letter queue", logging.ERROR, message_id=message_id)
            failures.append({"itemIdentifier": message_id})
        except Exception:
            log("record failed; SQS will retry it", logging.ERROR, message_id=message_id, exc_info=True)
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
