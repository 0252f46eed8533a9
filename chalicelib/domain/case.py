"""The case aggregate: one resident's appeal and everything that happened to it.

Plain Python: no I/O. Every change goes through a method that checks the status machine and records
an event (who, when, from, to, why); the repository persists the new events with the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.statuses import InvalidTransition, Status, can_transition

SYSTEM = "system"


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class CaseEvent:
    """One entry of the audit trail. `public` entries also form the resident's timeline."""

    at: datetime
    kind: str  # "status", "classified", "delivery", "note"
    actor: str
    from_status: Status | None = None
    to_status: Status | None = None
    reason: str = ""
    public: bool = False
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Classification:
    sector: str
    category: str
    confidence: float
    method: str
    alternatives: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Assignment:
    executor_id: str
    deadline_at: datetime
    rule: str


@dataclass
class Case:
    id: str
    token_hash: str
    text: str
    created_at: datetime
    source: str = "widget"
    sector_hint: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    municipality: str | None = None
    contact: Contact | None = None
    attachments: tuple[str, ...] = ()
    correlation_id: str = ""
    status: Status = Status.RECEIVED
    classification: Classification | None = None
    assignment: Assignment | None = None
    assignment_count: int = 0
    pending_step: str | None = None
    pending_since: datetime | None = None
    pending_sweeps: int = 0  # how often the sweeper re-sent the pending step's message
    updated_at: datetime | None = None
    overdue: bool = False
    version: int = 0
    new_events: list[CaseEvent] = field(default_factory=list)

    # -- the status machine -------------------------------------------------------------------
    def transition(self, target: Status, at: datetime, actor: str = SYSTEM, reason: str = "",
                   public: bool = True) -> None:
        if not can_transition(self.status, target):
            raise InvalidTransition(self.status, target)
        self._record(CaseEvent(at=at, kind="status", actor=actor, from_status=self.status,
                               to_status=target, reason=reason, public=public))
        self.status = target

    def _record(self, event: CaseEvent) -> None:
        self.new_events.append(event)
        self.updated_at = event.at

    def note(self, at: datetime, kind: str, reason: str, public: bool = False, actor: str = SYSTEM,
             **data: Any) -> None:
        self._record(CaseEvent(at=at, kind=kind, actor=actor, reason=reason, public=public, data=data))

    # -- pipeline bookkeeping: which asynchronous step the case waits for ------------------------
    def await_step(self, step: str | None, at: datetime) -> None:
        self.pending_step = step
        self.pending_since = at if step else None
        self.pending_sweeps = 0

    def is_waiting_for(self, step: str) -> bool:
        return self.pending_step == step

    # -- what the pipeline does -----------------------------------------------------------------
    def send_to_moderation(self, at: datetime, reason: str, actor: str = SYSTEM) -> None:
        self.transition(Status.MODERATION, at, actor=actor, reason=reason)
        self.await_step(None, at)

    def classify(self, result: Classification, at: datetime, label: str = "") -> None:
        self.classification = result
        self.note(at, "classified", label or result.category, public=True, category=result.category,
                  confidence=result.confidence, method=result.method)

    def assign(self, assignment: Assignment, at: datetime, actor: str = SYSTEM, reason: str = "") -> None:
        self.transition(Status.ASSIGNED, at, actor=actor, reason=reason or assignment.rule)
        self.assignment = assignment
        self.assignment_count += 1
        self.overdue = False

    @property
    def executor_id(self) -> str | None:
        return self.assignment.executor_id if self.assignment else None

    @property
    def delivery_id(self) -> str:
        """Stable per assignment, so a retried webhook keeps its id and receivers can deduplicate."""
        return f"msg_{self.id}_{self.assignment_count}"
