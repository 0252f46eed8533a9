"""The small interfaces the services depend on. Adapters for AWS and in-memory fakes implement them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.auth.api_keys import ApiKey
from chalicelib.domain.case import Case, CaseEvent


class ConcurrentUpdate(Exception):
    """Someone else changed the case since we read it; reload and try again."""


class AlreadyExists(Exception):
    pass


class CaseRepository(ABC):
    @abstractmethod
    def add(self, case: Case) -> None: ...

    @abstractmethod
    def get(self, case_id: str) -> Case | None: ...

    @abstractmethod
    def save(self, case: Case) -> None:
        """Persist the case and its new events iff nobody saved it since it was read."""

    @abstractmethod
    def events(self, case_id: str) -> list[CaseEvent]: ...

    @abstractmethod
    def waiting_since(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        """Cases waiting for `step` since before `before` (sparse index, never a scan)."""

    @abstractmethod
    def due_before(self, when: datetime, limit: int = 100) -> list[Case]:
        """Open cases whose deadline is at or before `when` and that are not yet marked overdue."""

    @abstractmethod
    def mark_delivered(self, case_id: str, delivery_id: str, at: datetime) -> bool:
        """Record that a webhook delivery succeeded; False if it was recorded already."""

    @abstractmethod
    def is_delivered(self, case_id: str, delivery_id: str) -> bool: ...

    @abstractmethod
    def of_executor(self, executor_id: str, status: str | None, limit: int, cursor: str | None
                    ) -> tuple[list[Case], str | None]:
        """A page of an executor's cases, newest first, optionally in one status; and the next cursor."""


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


class MessageQueue(ABC):
    @abstractmethod
    def send(self, step: str, message: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class HttpResult:
    status: int | None
    latency_ms: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookSender(ABC):
    @abstractmethod
    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult: ...


@dataclass(frozen=True)
class ExecutorEndpoint:
    executor_id: str
    url: str
    secrets: tuple[str, ...]
    active: bool = True


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
