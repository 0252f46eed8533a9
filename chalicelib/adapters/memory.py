"""In-memory implementations of the ports: for unit tests of services and for benchmarks."""

from __future__ import annotations

import copy
import ipaddress
import threading
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from chalicelib.adapters.case_items import LISTINGS, listing_keys
from chalicelib.adapters.counters import REGION_TZ, recount
from chalicelib.adapters.ports import (
    AlreadyExists,
    ApiKeyStore,
    AttachmentStorage,
    CaseRepository,
    ConcurrentUpdate,
    CounterStore,
    DeadLetter,
    DeadLetterQueues,
    DeliveryRepository,
    ExecutorDirectory,
    ExecutorEndpoint,
    HttpResult,
    IdempotencyRecord,
    IdempotencyStore,
    Mailer,
    MessageQueue,
    OperatorDirectory,
    OutgoingMessage,
    RoutingRulesStore,
    TrainingExample,
    TrainingExamples,
    WebhookSender,
)
from chalicelib.auth.api_keys import ApiKey
from chalicelib.auth.operators import OperatorUser
from chalicelib.domain.aggregates import Key
from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.deadline_watch import ExecutorCounters, counter_changes, next_action_at, overdue_holder
from chalicelib.domain.delivery import Delivery, index_state
from chalicelib.domain.duplicates import followable_key
from chalicelib.domain.endpoint import UnsafeEndpoint, endpoint_problem
from chalicelib.domain.owed_effects import OwedEffects
from chalicelib.domain.routing_rules import LoadedRouting


class InMemoryCaseRepository(CaseRepository, CounterStore):
    def __init__(self, tz: ZoneInfo = REGION_TZ) -> None:
        self._tz = tz
        self._analytics: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._cases: dict[str, Case] = {}
        self._events: dict[str, list[CaseEvent]] = defaultdict(list)
        self._counters: dict[str, ExecutorCounters] = {}
        self.owed: dict[tuple[str, int], OwedEffects] = {}
        self._lock = threading.Lock()

    def add(self, case: Case, owed: OwedEffects | None = None) -> None:
        with self._lock:
            if case.id in self._cases:
                raise AlreadyExists(case.id)
            self._store(case, owed)

    def get(self, case_id: str) -> Case | None:
        stored = self._cases.get(case_id)
        return copy.deepcopy(stored) if stored else None

    def save(self, case: Case, owed: OwedEffects | None = None) -> None:
        with self._lock:
            stored = self._cases.get(case.id)
            if stored is None or stored.version != case.version:
                raise ConcurrentUpdate(case.id)
            self._store(case, owed)

    def owed_since(self, before: datetime, limit: int = 100, given_up: bool = False) -> list[OwedEffects]:
        found = sorted((o for o in self.owed.values() if o.since < before and o.given_up == given_up),
                       key=lambda o: o.since)
        return found[:limit]

    def keep_owed(self, owed: OwedEffects) -> None:
        with self._lock:
            if (owed.case_id, owed.seq) in self.owed:
                self.owed[(owed.case_id, owed.seq)] = owed

    def settle(self, owed: OwedEffects) -> None:
        self.owed.pop((owed.case_id, owed.seq), None)

    def _store(self, case: Case, owed: OwedEffects | None = None) -> None:
        if owed is not None:
            self.owed[(owed.case_id, owed.seq)] = owed
        changes, case.counted_as = recount(case, self._tz)
        for key, attrs in changes.items():
            for name, delta in attrs.items():
                self._analytics[key][name] += delta
        for change in counter_changes(case):
            now = self._counters.get(change.executor_id) or ExecutorCounters(change.executor_id)
            self._counters[change.executor_id] = ExecutorCounters(
                change.executor_id, now.overdue_open + change.open, now.overdue_total + change.total)
        case.overdue_counted_for = overdue_holder(case)
        self._events[case.id].extend(case.new_events)
        case.new_events = []
        case.version += 1
        self._cases[case.id] = copy.deepcopy(case)

    def events(self, case_id: str) -> list[CaseEvent]:
        return list(self._events.get(case_id, []))

    def counter_items(self, keys: list[Key]) -> dict[Key, dict[str, int]]:
        return {k: dict(self._analytics[k]) for k in keys if k in self._analytics}

    def counter_partition(self, pk: str) -> dict[str, dict[str, int]]:
        return {sk: dict(attrs) for (p, sk), attrs in self._analytics.items() if p == pk}

    def waiting_since(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        return self._pending(step, before, limit, given_up=False)

    def given_up(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        return self._pending(step, before, limit, given_up=True)

    def _pending(self, step: str, before: datetime, limit: int, given_up: bool) -> list[Case]:
        found = sorted((c for c in self._cases.values() if c.pending_step == step and c.pending_since
                        and c.pending_since < before and c.resends_exhausted == given_up),
                       key=lambda c: c.pending_since or before)
        return [copy.deepcopy(c) for c in found[:limit]]

    def due_before(self, when: datetime, limit: int = 100) -> list[Case]:
        due = sorted((at, c.id) for c in self._cases.values() if (at := next_action_at(c)) and at <= when)
        return [copy.deepcopy(self._cases[case_id]) for _, case_id in due[:limit]]

    def followable_near(self, geo_keys: list[str], limit: int = 50) -> list[Case]:
        keys = set(geo_keys)
        return [copy.deepcopy(c) for c in self._cases.values() if followable_key(c) in keys]

    def overdue_counts(self, executor_ids: list[str]) -> dict[str, ExecutorCounters]:
        return {e: self._counters.get(e) or ExecutorCounters(e) for e in executor_ids}

    def log_events(self, case_id: str, events: list[CaseEvent], tag: str) -> None:
        with self._lock:
            self._events[case_id].extend(events)

    def listing(self, index: str, value: str, limit: int, cursor: str | None,
                since: datetime | None = None, until: datetime | None = None) -> tuple[list[Case], str | None]:
        attribute = LISTINGS[index]
        found = sorted((c for c in self._cases.values() if listing_keys(c).get(attribute) == value
                        and (since is None or c.created_at >= since) and (until is None or c.created_at <= until)),
                       key=lambda c: c.created_at, reverse=True)
        start = int(cursor or 0)
        more = start + limit < len(found)
        return [copy.deepcopy(c) for c in found[start:start + limit]], str(start + limit) if more else None

    def of_executor(self, executor_id: str, status: str | None, limit: int, cursor: str | None
                    ) -> tuple[list[Case], str | None]:
        mine = sorted((c for c in self._cases.values() if c.executor_id == executor_id
                       and (status is None or c.status.value == status)),
                      key=lambda c: (c.status.value, c.created_at), reverse=True)
        start = int(cursor or 0)
        page = mine[start:start + limit]
        more = start + limit < len(mine)
        return [copy.deepcopy(c) for c in page], str(start + limit) if more else None


class InMemoryOperatorDirectory(OperatorDirectory):
    def __init__(self) -> None:
        self._users: dict[str, OperatorUser] = {}

    def get(self, username: str) -> OperatorUser | None:
        return self._users.get(username)

    def save(self, user: OperatorUser) -> None:
        self._users[user.principal.username] = user


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
        self._keys[key_id] = replace(key, revoked_at=at)
        return True


class InMemoryQueue(MessageQueue):
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.delays: list[int] = []  # the delay_seconds of every send, in order

    def send_now(self, outgoing: OutgoingMessage) -> None:
        self.sent.append((outgoing.step, copy.deepcopy(outgoing.message)))
        self.delays.append(outgoing.delay_seconds)

    def take(self, step: str) -> list[dict[str, Any]]:
        taken = [m for s, m in self.sent if s == step]
        self.sent = [(s, m) for s, m in self.sent if s != step]
        return taken


class RecordingWebhookSender(WebhookSender):
    """Answers with a fixed status (or the scripted `replies`, first) and remembers every request.

    `check` applies the real URL rules to a fake DNS: `dns` maps host names to addresses; other names
    resolve to a public address.
    """

    PUBLIC_ADDRESS = "93.184.216.34"

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.retry_after: str | None = None
        self.replies: list[HttpResult] = []
        self.requests: list[tuple[str, dict[str, str], str]] = []
        self.dns: dict[str, list[str]] = {}
        self.allow_loopback = False

    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        self.requests.append((url, dict(headers), body))
        if self.replies:
            return self.replies.pop(0)
        return HttpResult(status=self.status, latency_ms=1.0, retry_after=self.retry_after,
                          error=None if 200 <= self.status < 300 else f"HTTP {self.status}")

    def check(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        problem = endpoint_problem(url, self._resolve(host), self.allow_loopback)
        if problem:
            raise UnsafeEndpoint(problem)

    def _resolve(self, host: str) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]  # an address resolves to itself
        except ValueError:
            return self.dns.get(host, [self.PUBLIC_ADDRESS])


class FakeAttachmentStorage(AttachmentStorage):
    """Remembers what it presigned; `stored` holds the keys whose upload finished (tests add them)."""

    def __init__(self) -> None:
        self.presigned: list[tuple[str, str, int]] = []
        self.stored: set[str] = set()

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        self.presigned.append((key, content_type, max_bytes))
        return {"url": "https://storage.test/", "fields": {"key": key, "Content-Type": content_type}}

    def presign_download(self, key: str, expires_s: int = 600) -> str:
        return f"https://storage.test/{key}?expires={expires_s}"

    def exists(self, key: str) -> bool:
        return key in self.stored


class RecordingMailer(Mailer):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, text: str) -> None:
        self.sent.append((to, subject, text))


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


class InMemoryDeliveryRepository(DeliveryRepository):
    def __init__(self) -> None:
        self._items: dict[tuple[str, str], Delivery] = {}
        self._lock = threading.Lock()

    def add(self, delivery: Delivery) -> bool:
        with self._lock:
            if (delivery.case_id, delivery.id) in self._items:
                return False
            self._put(delivery)
            return True

    def get(self, case_id: str, webhook_id: str) -> Delivery | None:
        found = self._items.get((case_id, webhook_id))
        return copy.deepcopy(found) if found else None

    def save(self, delivery: Delivery) -> None:
        with self._lock:
            stored = self._items.get((delivery.case_id, delivery.id))
            if stored is None or stored.version != delivery.version:
                raise ConcurrentUpdate(delivery.id)
            self._put(delivery)

    def _put(self, delivery: Delivery) -> None:
        delivery.version += 1
        self._items[(delivery.case_id, delivery.id)] = copy.deepcopy(delivery)

    def of_case(self, case_id: str) -> list[Delivery]:
        return sorted((copy.deepcopy(d) for (c, _), d in self._items.items() if c == case_id), key=lambda d: d.id)

    def scheduled_before(self, when: datetime, limit: int = 100) -> list[Delivery]:
        due = [d for d in self.in_state("scheduled", len(self._items)) if d.sweep_at and d.sweep_at <= when]
        return due[:limit]

    def in_state(self, state: str, limit: int = 100) -> list[Delivery]:
        found = [d for d in self._items.values() if index_state(d.status) == state]
        found.sort(key=lambda d: (d.sweep_at if state == "scheduled" else d.status_at) or d.created_at)
        return [copy.deepcopy(d) for d in found[:limit]]


class InMemoryDeadLetters(DeadLetterQueues):
    """Dead-letter queues as lists; what `redrive` moves back is kept, raw, in `redriven`."""

    def __init__(self) -> None:
        self.parked: dict[str, list[DeadLetter]] = defaultdict(list)
        self.redriven: dict[str, list[str]] = defaultdict(list)

    def count(self, step: str) -> int:
        return len(self.parked[step])

    def peek(self, step: str, limit: int = 100) -> list[DeadLetter]:
        return list(self.parked[step][:limit])

    def redrive(self, step: str, message_ids: set[str] | None = None) -> int:
        moving = [m for m in self.parked[step] if message_ids is None or m.message_id in message_ids]
        self.parked[step] = [m for m in self.parked[step] if m not in moving]
        self.redriven[step].extend(m.body for m in moving)
        return len(moving)


class InMemoryTrainingExamples(TrainingExamples):
    def __init__(self) -> None:
        self._examples: dict[str, TrainingExample] = {}

    def add(self, example: TrainingExample) -> None:
        self._examples[example.case_id] = example

    def all(self, limit: int | None = None) -> list[TrainingExample]:
        return [self._examples[k] for k in sorted(self._examples)][:limit]



class InMemoryRoutingRules(RoutingRulesStore):
    """Loaded routing rules, every version kept (`versions`), with the store's version condition."""

    def __init__(self) -> None:
        self.versions: list[LoadedRouting] = []
        self.reads = 0

    def current(self) -> LoadedRouting | None:
        self.reads += 1
        return self.versions[-1] if self.versions else None

    def save(self, loaded: LoadedRouting) -> None:
        if loaded.version != len(self.versions) + 1:
            raise ConcurrentUpdate(f"routing rules are at version {len(self.versions)}")
        self.versions.append(copy.deepcopy(loaded))
