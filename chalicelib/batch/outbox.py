"""The messages an SQS consumer's batch sends on, held until the batch is done and then sent together.

`process_batch` opens an outbox for the batch and names the record being processed; `MessageQueue.send`
puts each message in it (`hold`) instead of sending it at once. At the end of the batch the queue sends
them all (SQS: `SendMessageBatch`, ten a request), and a record whose message could not be sent is
reported as failed, so SQS delivers it again (`redelivered()` then tells the step to re-send it).
Outside a batch (an API request, a schedule) nothing is held. Context variables keep concurrent
workers (threads of the local stack) apart. `after_sent` runs an action once the record's messages are
really out (at the end of the batch, only if none of them failed; outside a batch, at once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.adapters.ports import OutgoingMessage


@dataclass
class Outbox:
    held: list[OutgoingMessage] = field(default_factory=list)
    origin: str = ""  # the record being processed
    redelivered: bool = False  # SQS has delivered that record before
    when_sent: list[tuple[str, Callable[[], None]]] = field(default_factory=list)  # (origin, action)


_current: ContextVar[Outbox | None] = ContextVar("tsur_outbox", default=None)


@contextmanager
def collecting() -> Iterator[Outbox]:
    outbox = Outbox()
    token = _current.set(outbox)
    try:
        yield outbox
    finally:
        _current.reset(token)


def hold(message: OutgoingMessage) -> bool:
    """Keep `message` for the end of the batch (True), or False outside a batch: send it now."""
    outbox = _current.get()
    if outbox is None:
        return False
    outbox.held.append(replace(message, origin=outbox.origin))
    return True


def redelivered() -> bool:
    """The record being processed was received before (its first processing may have lost a send)."""
    outbox = _current.get()
    return outbox is not None and outbox.redelivered


def after_sent(action: Callable[[], None]) -> None:
    """Run `action` when what the current record sent has gone out: at once outside a batch."""
    outbox = _current.get()
    if outbox is None:
        action()
    else:
        outbox.when_sent.append((outbox.origin, action))
