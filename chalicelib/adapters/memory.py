"""In-memory implementations of the ports: for unit tests of services and for benchmarks."""

from __future__ import annotations

import copy
import threading
from collections import defaultdict
from datetime import datetime
from typing import Any

from chalicelib.adapters.ports import (
    AlreadyExists,
    ApiKeyStore,
    CaseRepository,
    ConcurrentUpdate,
    ExecutorDirectory,
    ExecutorEndpoint,
    HttpResult,
    IdempotencyRecord,
    IdempotencyStore,
    MessageQueue,
    WebhookSender,
)
from chalicelib.auth.api_keys import ApiKey
from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.statuses import OPEN_FOR_EXECUTOR


class InMemoryCaseRepository(CaseRepository):
    def __init__(self) -> None:
        self._cases: dict[str, Case] = {}
        self._events: dict[str, list[CaseEvent]] = defaultdict(list)
        self._deliveries: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def add(self, case: Case) -> None:
        with self._lock:
            if case.id in self._cases:
                raise AlreadyExists(case.id)
            self._store(case)

    def get(self, case_id: str) -> Case | None:
        stored = self._cases.get(case_id)
        return copy.deepcopy(stored) if stored else None

    def save(self, case: Case) -> None:
        with self._lock:
            stored = self._cases.get(case.id)
            if stored is None or stored.version != case.version:
                raise ConcurrentUpdate(case.id)
            self._store(case)

    def _store(self, case: Case) -> None:
        self._events[case.id].extend(case.new_events)
        case.new_events = []
        case.version += 1
        self._cases[case.id] = copy.deepcopy(case)

    def events(self, case_id: str) -> list[CaseEvent]:
        return list(self._events.get(case_id, []))

    def waiting_since(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        found = [c for c in self._cases.values()
                 if c.pending_step == step and c.pending_since and c.pending_since < before]
        return [copy.deepcopy(c) for c in found[:limit]]

    def due_before(self, when: datetime, limit: int = 100) -> list[Case]:
        found = [c for c in self._cases.values()
                 if c.status in OPEN_FOR_EXECUTOR and not c.overdue and c.assignment
                 and c.assignment.deadline_at <= when]
        return [copy.deepcopy(c) for c in found[:limit]]

    def mark_delivered(self, case_id: str, delivery_id: str, at: datetime) -> bool:
        with self._lock:
            if (case_id, delivery_id) in self._deliveries:
                return False
            self._deliveries.add((case_id, delivery_id))
            return True

    def is_delivered(self, case_id: str, delivery_id: str) -> bool:
        return (case_id, delivery_id) in self._deliveries

    def of_executor(self, executor_id: str, status: str | None, limit: int, cursor: str | None
                    ) -> tuple[list[Case], str | None]:
        mine = sorted((c for c in self._cases.values() if c.executor_id == executor_id
                       and (status is None or c.status.value == status)),
                      key=lambda c: (c.status.value, c.created_at), reverse=True)
        start = int(cursor or 0)
        page = mine[start:start + limit]
        more = start + limit < len(mine)
        return [copy.deepcopy(c) for c in page], str(start + limit) if more else None


class InMemoryApiKeyStore(ApiKeyStore):
    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    def add(self, key: ApiKey) -> None:
        self._keys[key.key_id] = key

    def get(self, key_id: str) -> ApiKey | None:
        return self._keys.get(key_id)

    def of_executor(self, executor_id: str) -> list[ApiKey]:
        return [k for k in self._keys.values() if k.executor_id == executor_id]

    def revoke(self, key_id: str, at: datetime) -> bool:
        key = self._keys.get(key_id)
        if key is None or not key.active:
            return False
        self._keys[key_id] = ApiKey(key.key_id, key.executor_id, key.key_hash, key.created_at, at)
        return True


class InMemoryQueue(MessageQueue):
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, step: str, message: dict[str, Any]) -> None:
        self.sent.append((step, copy.deepcopy(message)))

    def take(self, step: str) -> list[dict[str, Any]]:
        taken = [m for s, m in self.sent if s == step]
        self.sent = [(s, m) for s, m in self.sent if s != step]
        return taken


class RecordingWebhookSender(WebhookSender):
    """Answers with a fixed status and remembers every request it was asked to send."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.requests: list[tuple[str, dict[str, str], str]] = []

    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        self.requests.append((url, dict(headers), body))
        return HttpResult(status=self.status, latency_ms=1.0)


class InMemoryExecutorDirectory(ExecutorDirectory):
    def __init__(self) -> None:
        self._endpoints: dict[str, ExecutorEndpoint] = {}

    def endpoint(self, executor_id: str) -> ExecutorEndpoint | None:
        return self._endpoints.get(executor_id)

    def save_endpoint(self, endpoint: ExecutorEndpoint) -> None:
        self._endpoints[endpoint.executor_id] = endpoint


class InMemoryIdempotencyStore(IdempotencyStore):
    def __init__(self) -> None:
        self._records: dict[str, IdempotencyRecord] = {}
        self._lock = threading.Lock()

    def begin(self, key: str, fingerprint: str) -> IdempotencyRecord | None:
        with self._lock:
            existing = self._records.get(key)
            if existing is None:
                self._records[key] = IdempotencyRecord(key, fingerprint, None)
            return existing

    def complete(self, key: str, response: dict[str, Any]) -> None:
        record = self._records[key]
        self._records[key] = IdempotencyRecord(key, record.fingerprint, response)

    def release(self, key: str) -> None:
        self._records.pop(key, None)
