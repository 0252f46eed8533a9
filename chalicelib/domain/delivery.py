"""Webhook deliveries: one record per webhook-id, with every attempt and when the next one is due.

Plain Python: the record decides what an attempt's outcome means (delivered, retry when, park, hold);
services do the sending, saving and queueing.

    pending ──2xx──▶ delivered
       │ other failure: retry on the schedule (Retry-After honoured on 429/503)
       ▼
    retrying ──last attempt failed──▶ parked ──operator replays──▶ pending
       │ 410 Gone, or no active endpoint
       ▼
    disabled (held until the endpoint is enabled again; the operator replays or enabling releases it)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

Random = Callable[[], float]  # uniform in [0, 1), like random.random

DEFAULT_DELAYS = tuple(timedelta(seconds=s) for s in (
    5, 30, 2 * 60, 10 * 60, 30 * 60, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600))
MAX_QUEUE_DELAY = timedelta(minutes=15)  # SQS DelaySeconds stops here; later attempts wait for the sweeper
SWEEP_GRACE = timedelta(minutes=15)  # a queued attempt not made by then is re-sent by the sweeper
MAX_SWEEPS = 4  # re-sends of one attempt before the delivery is parked instead of looping
KEPT_ATTEMPTS = 30  # attempts kept on the record (all of them are in the case history)
RETRY_AFTER_STATUSES = (429, 503)
GONE = 410
KEY_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]")
MAX_KEY = 64


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    PARKED = "parked"
    DISABLED = "disabled"


SCHEDULED = frozenset({DeliveryStatus.PENDING, DeliveryStatus.RETRYING})
REPLAYABLE = frozenset({DeliveryStatus.RETRYING, DeliveryStatus.PARKED, DeliveryStatus.DISABLED})
STATUS_LABELS = {
    DeliveryStatus.PENDING: "в очереди",
    DeliveryStatus.RETRYING: "повторная попытка",
    DeliveryStatus.DELIVERED: "доставлено",
    DeliveryStatus.PARKED: "отложено: все попытки неудачны",
    DeliveryStatus.DISABLED: "ждёт включения адреса исполнителя",
}


INDEX_STATES = ("scheduled", "parked", "disabled")


def index_state(status: DeliveryStatus) -> str | None:
    """Where a delivery sits in the operators' and the sweeper's index; delivered ones are not there."""
    if status in SCHEDULED:
        return "scheduled"
    return None if status is DeliveryStatus.DELIVERED else status.value


class NotReplayable(ValueError):
    pass


def webhook_id(case_id: str, key: str) -> str:
    """`msg_<case>_<key>`: stable for one event of one case, so receivers can deduplicate.

    The key is kept to letters, digits, `.` and `-` (anything else becomes `-`, the same way every
    time), so the case id can be read back from the webhook-id.
    """
    safe = KEY_UNSAFE.sub("-", key)
    if not 0 < len(safe) <= MAX_KEY:
        raise ValueError(f"delivery key {key!r} must have 1 to {MAX_KEY} characters")
    return f"msg_{case_id}_{safe}"


def case_of(webhook: str) -> str | None:
    """The case id inside a webhook id made by `webhook_id` (keys never contain `_`)."""
    if not webhook.startswith("msg_") or webhook.count("_") < 2:
        return None
    return webhook[len("msg_"):].rsplit("_", 1)[0]


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header: delay-seconds or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential backoff with full jitter: the n-th retry waits uniformly up to `delays[n-1]`.

    The last retry is held to at least `min_span` after the round's first attempt, so a receiver that is
    down gets at least that long to come back before the delivery is parked.
    """

    delays: tuple[timedelta, ...] = DEFAULT_DELAYS
    min_span: timedelta = timedelta(hours=24)
    max_retry_after: timedelta = timedelta(hours=24)

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def next_attempt_at(self, done: int, first_at: datetime, now: datetime, rng: Random,
                        wait_at_least: timedelta | None = None) -> datetime | None:
        """When to try again after `done` failed attempts of this round; None: that was the last."""
        if done > len(self.delays):
            return None
        delay = self.delays[done - 1] * rng()
        if wait_at_least is not None:
            delay = max(delay, min(wait_at_least, self.max_retry_after))
        at = now + delay
        if done == len(self.delays):
            at = max(at, first_at + self.min_span)
        return at


@dataclass(frozen=True)
class Attempt:
    at: datetime
    number: int
    status: int | None
    latency_ms: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Delivery:
    id: str  # the webhook-id
    case_id: str
    executor_id: str
    event_type: str
    body: str  # serialised once: every attempt and replay sends the same bytes
    created_at: datetime
    correlation_id: str = ""
    announce: str = ""  # a public note for the case's timeline once delivered
    status: DeliveryStatus = DeliveryStatus.PENDING
    status_at: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)  # the latest KEPT_ATTEMPTS
    attempt_count: int = 0  # all attempts ever, across replays
    round_attempts: int = 0  # attempts since creation or the last replay: the position in the schedule
    round_started_at: datetime | None = None
    next_attempt_at: datetime | None = None
    sweep_at: datetime | None = None  # when the sweeper sends the attempt if no queued message has
    sweeps: int = 0
    last_error: str = ""
    version: int = 0

    @classmethod
    def create(cls, id: str, case_id: str, executor_id: str, event_type: str, body: str, now: datetime,
               correlation_id: str = "", announce: str = "") -> Delivery:
        return cls(id=id, case_id=case_id, executor_id=executor_id, event_type=event_type, body=body,
                   created_at=now, correlation_id=correlation_id, announce=announce, status_at=now,
                   next_attempt_at=now, sweep_at=now + SWEEP_GRACE)

    @property
    def next_number(self) -> int:
        return self.attempt_count + 1

    def awaits(self, number: int) -> bool:
        """Whether a queued message for attempt `number` should be acted on (else it is a leftover)."""
        return self.status in SCHEDULED and number == self.next_number

    def queue_delay(self, now: datetime) -> int | None:
        """Seconds to hold the next attempt's message in the queue; None: too far off, the sweeper sends it."""
        if self.status not in SCHEDULED or self.next_attempt_at is None:
            return None
        wait = self.next_attempt_at - now
        if wait > MAX_QUEUE_DELAY:
            return None
        return max(0, math.ceil(wait.total_seconds()))  # rounded up: never early

    def record(self, attempt: Attempt, schedule: RetrySchedule, rng: Random,
               header_retry_after: str | None = None) -> DeliveryStatus:
        """Take in one attempt's outcome and decide what happens next."""
        self.attempts = [*self.attempts, attempt][-KEPT_ATTEMPTS:]
        self.attempt_count = attempt.number
        self.round_attempts += 1
        self.round_started_at = self.round_started_at or attempt.at
        self.sweeps = 0
        self.last_error = "" if attempt.ok else (attempt.error or f"HTTP {attempt.status}")
        if attempt.ok:
            return self._become(DeliveryStatus.DELIVERED, attempt.at)
        if attempt.status == GONE:
            return self._become(DeliveryStatus.DISABLED, attempt.at)
        wait = retry_after(header_retry_after, attempt.at) if attempt.status in RETRY_AFTER_STATUSES else None
        next_at = schedule.next_attempt_at(self.round_attempts, self.round_started_at, attempt.at, rng, wait)
        if next_at is None:
            return self._become(DeliveryStatus.PARKED, attempt.at)
        self._become(DeliveryStatus.RETRYING, attempt.at)
        self._schedule(next_at, attempt.at)
        return self.status

    def hold(self, now: datetime, reason: str) -> None:
        """No active endpoint to send to: wait, without using up attempts, until it is enabled."""
        self.last_error = reason
        self._become(DeliveryStatus.DISABLED, now)

    def swept(self, now: datetime) -> bool:
        """The sweeper sends the due attempt; False (and parked) once that happened too often."""
        if self.sweeps >= MAX_SWEEPS:
            self.last_error = "Попытка не выполнена: сообщение в очереди не обработано"
            self._become(DeliveryStatus.PARKED, now)
            return False
        self.sweeps += 1
        self.sweep_at = now + SWEEP_GRACE
        return True

    def replay(self, now: datetime) -> None:
        """An operator sends it again: a fresh round of the schedule, the same webhook-id and body."""
        if self.status not in REPLAYABLE:
            raise NotReplayable(f"delivery {self.id} is {self.status.value}")
        self._become(DeliveryStatus.PENDING, now)
        self.round_attempts = 0
        self.round_started_at = None
        self.sweeps = 0
        self._schedule(now, now)

    def _schedule(self, at: datetime, now: datetime) -> None:
        self.next_attempt_at = at
        queued = at - now <= MAX_QUEUE_DELAY
        self.sweep_at = at + SWEEP_GRACE if queued else at

    def _become(self, status: DeliveryStatus, at: datetime) -> DeliveryStatus:
        self.status = status
        self.status_at = at
        if status not in SCHEDULED:
            self.next_attempt_at = None
            self.sweep_at = None
        return status
