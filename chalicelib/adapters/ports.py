"""The small interfaces the services depend on. Adapters for AWS and in-memory fakes implement them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.auth.api_keys import ApiKey
from chalicelib.auth.operators import OperatorUser
from chalicelib.batch import outbox
from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.deadline_watch import ExecutorCounters
from chalicelib.domain.delivery import Delivery
from chalicelib.domain.endpoint import ExecutorEndpoint, UnsafeEndpoint
from chalicelib.domain.owed_effects import OwedEffects
from chalicelib.domain.routing_rules import LoadedRouting

__all__ = ["ExecutorEndpoint", "UnsafeEndpoint"]  # re-exported: they used to live here


class ConcurrentUpdate(Exception):
    """Someone else changed the case since we read it; reload and try again."""


class AlreadyExists(Exception):
    pass


class CaseRepository(ABC):
    @abstractmethod
    def add(self, case: Case, owed: OwedEffects | None = None) -> None: ...

    @abstractmethod
    def get(self, case_id: str) -> Case | None: ...

    @abstractmethod
    def save(self, case: Case, owed: OwedEffects | None = None) -> None:
        """Persist the case, its new events and what they owe (`owed`, in the same write) iff nobody
        saved it since it was read."""

    @abstractmethod
    def owed_since(self, before: datetime, limit: int = 100, given_up: bool = False) -> list[OwedEffects]:
        """Effects recorded (or last swept) before `before` and not yet cleared, oldest first: those the
        sweeper still sends, or with `given_up` those it left to the operators (sparse index)."""

    @abstractmethod
    def keep_owed(self, owed: OwedEffects) -> None:
        """Store the sweeper's new stamp on effects still owed (no-op if they were cleared meanwhile)."""

    @abstractmethod
    def settle(self, owed: OwedEffects) -> None:
        """The effects were sent: clear them."""

    @abstractmethod
    def events(self, case_id: str) -> list[CaseEvent]: ...

    @abstractmethod
    def waiting_since(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        """Cases waiting for `step` since before `before` that the sweeper still re-sends (sparse index,
        never a scan)."""

    @abstractmethod
    def given_up(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        """Cases still waiting for `step`, last re-sent before `before`, that the sweeper gave up on."""

    @abstractmethod
    def due_before(self, when: datetime, limit: int = 100) -> list[Case]:
        """Cases for which the deadline check has something due at or before `when` (a reminder, the
        deadline, an undelivered notice), earliest first, from the sparse `by_deadline` index."""

    @abstractmethod
    def followable_near(self, geo_keys: list[str], limit: int = 50) -> list[Case]:
        """Open cases others can follow, under any of `geo_keys` (`<category>#<cell>`, sparse `by_geo`)."""

    @abstractmethod
    def overdue_counts(self, executor_ids: list[str]) -> dict[str, ExecutorCounters]:
        """The overdue counters of these executors (kept current with every case save)."""

    @abstractmethod
    def log_events(self, case_id: str, events: list[CaseEvent], tag: str) -> None:
        """Append history entries that change nothing on the case (webhook attempts), without touching
        the case itself, so a busy case never loses them. `tag` is unique per call (e.g. webhook-id and
        the delivery's version)."""

    @abstractmethod
    def listing(self, index: str, value: str, limit: int, cursor: str | None,
                since: datetime | None = None, until: datetime | None = None) -> tuple[list[Case], str | None]:
        """A page of cases from an operators' listing (`by_status`, `by_month`, `by_municipality`),
        newest first, created within [since, until]; and the next cursor."""

    @abstractmethod
    def of_executor(self, executor_id: str, status: str | None, limit: int, cursor: str | None
                    ) -> tuple[list[Case], str | None]:
        """A page of an executor's cases, newest first, optionally in one status; and the next cursor."""


class CounterStore(ABC):
    """The analytics counters the case repository keeps current (see domain/aggregates.py)."""

    @abstractmethod
    def counter_items(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]: ...

    @abstractmethod
    def counter_partition(self, pk: str) -> dict[str, dict[str, int]]:
        """All counter items under one partition key, by sort key."""


class OperatorDirectory(ABC):
    @abstractmethod
    def get(self, username: str) -> OperatorUser | None: ...

    @abstractmethod
    def save(self, user: OperatorUser) -> None: ...


class ApiKeyStore(ABC):
    @abstractmethod
    def add(self, key: ApiKey) -> None: ...

    @abstractmethod
    def get(self, key_id: str) -> ApiKey | None: ...

    @abstractmethod
    def of_executor(self, executor_id: str) -> list[ApiKey]: ...

    @abstractmethod
    def revoke(self, key_id: str, at: datetime) -> bool:
        """False when there is no such active key."""


class AttachmentStorage(ABC):
    @abstractmethod
    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        """A form upload straight to storage: {"url", "fields"}; the storage enforces type and size."""

    @abstractmethod
    def presign_download(self, key: str, expires_s: int = 600) -> str:
        """A short-lived link to read an attachment."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether the file was uploaded (HeadObject)."""


class Mailer(ABC):
    @abstractmethod
    def send(self, to: str, subject: str, text: str) -> None: ...


@dataclass(frozen=True)
class OutgoingMessage:
    """A message for a step's queue. `origin`: the SQS record whose processing sent it (chalicelib.batch)."""

    step: str
    message: dict[str, Any] = field(hash=False)
    delay_seconds: int = 0
    origin: str = ""


class MessageQueue(ABC):
    def send(self, step: str, message: dict[str, Any], delay_seconds: int = 0) -> None:
        """`delay_seconds` (at most 900, SQS's limit) holds the message back before it can be received.

        Inside an SQS consumer's batch the message is sent when the batch is done, with the batch's
        others (`chalicelib.batch.outbox`); elsewhere at once."""
        outgoing = OutgoingMessage(step, message, delay_seconds)
        if not outbox.hold(outgoing):
            self.send_now(outgoing)

    @abstractmethod
    def send_now(self, outgoing: OutgoingMessage) -> None: ...

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[OutgoingMessage]:
        """Send them all and return those that could not be sent. Here one at a time; SQS batches them."""
        failed = []
        for outgoing in messages:
            try:
                self.send_now(outgoing)
            except Exception:
                failed.append(outgoing)
        return failed


@dataclass(frozen=True)
class HttpResult:
    status: int | None
    latency_ms: float
    error: str | None = None
    retry_after: str | None = None  # the Retry-After header, as sent

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookSender(ABC):
    @abstractmethod
    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        """Refuses (status None, error set) what `check` refuses, judged again at send time."""

    @abstractmethod
    def check(self, url: str) -> None:
        """Raise UnsafeEndpoint unless we may call `url` (https, public addresses; see domain.endpoint)."""


class ExecutorDirectory(ABC):
    @abstractmethod
    def endpoint(self, executor_id: str) -> ExecutorEndpoint | None: ...

    @abstractmethod
    def save_endpoint(self, endpoint: ExecutorEndpoint) -> None: ...


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    fingerprint: str
    response: dict[str, Any] | None  # None while the first request is still in progress


class IdempotencyStore(ABC):
    @abstractmethod
    def begin(self, key: str, fingerprint: str) -> IdempotencyRecord | None:
        """Claim `key`; None if we are first, else the record of whoever was first."""

    @abstractmethod
    def complete(self, key: str, response: dict[str, Any]) -> None: ...

    @abstractmethod
    def release(self, key: str) -> None:
        """Give the key up after a failure so that a retry can start over."""


class DeliveryRepository(ABC):
    """Webhook deliveries, one per webhook-id (see domain.delivery)."""

    @abstractmethod
    def add(self, delivery: Delivery) -> bool:
        """Store a new delivery; False if one with that webhook-id exists already."""

    @abstractmethod
    def get(self, case_id: str, webhook_id: str) -> Delivery | None: ...

    @abstractmethod
    def save(self, delivery: Delivery) -> None:
        """Persist iff nobody saved it since it was read, else ConcurrentUpdate."""

    @abstractmethod
    def of_case(self, case_id: str) -> list[Delivery]: ...

    @abstractmethod
    def scheduled_before(self, when: datetime, limit: int = 100) -> list[Delivery]:
        """Pending or retrying deliveries whose `sweep_at` is at or before `when` (sparse index)."""

    @abstractmethod
    def in_state(self, state: str, limit: int = 100) -> list[Delivery]:
        """Deliveries in an index state (domain.delivery.index_state: scheduled, parked, disabled), oldest
        first; delivered ones are not indexed."""


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    body: str
    sent_at: datetime | None
    receive_count: int


class DeadLetterQueues(ABC):
    """Each queue's dead-letter queue, for operators: look at what is parked and send it back."""

    @abstractmethod
    def count(self, step: str) -> int: ...

    @abstractmethod
    def peek(self, step: str, limit: int = 100) -> list[DeadLetter]:
        """Parked messages, left in place."""

    @abstractmethod
    def redrive(self, step: str, message_ids: set[str] | None = None) -> int:
        """Move the given (or all) parked messages back to the step's queue; how many moved."""


@dataclass(frozen=True)
class TrainingExample:
    """An operator's choice of category for a case's text (personal data masked): the next training
    run learns from it. One per case: a later choice for the same case replaces the earlier one."""

    case_id: str
    category: str
    text: str
    actor: str
    at: datetime
    predicted: str | None = None  # what the classifier had said, if anything
    confidence: float | None = None


class TrainingExamples(ABC):
    @abstractmethod
    def add(self, example: TrainingExample) -> None: ...

    @abstractmethod
    def all(self, limit: int | None = None) -> list[TrainingExample]:
        """Every example (oldest case id first), for `tsur train`; one partition, never a scan."""


class RoutingRulesStore(ABC):
    """The region's routing rules an operator loaded (one current version; earlier ones kept for the record)."""

    @abstractmethod
    def current(self) -> LoadedRouting | None:
        """The loaded rules, or None: the region file's own rules apply."""

    @abstractmethod
    def save(self, loaded: LoadedRouting) -> None:
        """Store `loaded` as the current version iff the current one is `loaded.version - 1` (none for 1);
        else ConcurrentUpdate: someone else loaded rules meanwhile."""
