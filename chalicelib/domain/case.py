"""The case aggregate: one resident's appeal and everything that happened to it.

Plain Python: no I/O. Every change goes through a method that checks the status machine and records
an event (who, when, from, to, why); the repository persists the new events with the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.consent import Consent
from chalicelib.domain.deadline_clock import DeadlineClock
from chalicelib.domain.deadlines import legal_term_end
from chalicelib.domain.social import SocialRef
from chalicelib.domain.statuses import InvalidTransition, Status, can_transition

SYSTEM = "system"
RESIDENT = "resident"
# What a case waits for outside the pipeline (kept in `pending_step`, so it is indexed like a step).
WAITING_CLARIFICATION = "resident_clarification"
WAITING_REACTION = "resident_reaction"
MAX_STEP_RESENDS = 3  # how often the sweeper re-sends a step that never came through
# How a case was closed (`closed_as`). The resident may reopen a case closed by their own reaction (a
# rating) or by their silence, within the reopen window; never one an operator closed.
CLOSED_RATED = "rated"
CLOSED_NO_REACTION = "no_reaction"
CLOSED_BY_OPERATOR = "operator"
REOPENABLE_CLOSURES = frozenset({CLOSED_RATED, CLOSED_NO_REACTION})


class Refused(ValueError):
    """An action the case's state does not allow; `str()` says why, in Russian, to whoever asked."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


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
class Answer:
    """An executor's answer: `interim` (work under way) or `final` (the answer on substance)."""

    id: str
    kind: str  # "interim" | "final"
    text: str
    at: datetime
    author: str
    attachments: tuple[str, ...] = ()
    verdict: str | None = None  # the quality check: "substantive" | "formal"
    verdict_reasons: tuple[str, ...] = ()
    verdict_by: str | None = None  # who judged it: SYSTEM (the automatic check) or the operator who overrode it


@dataclass(frozen=True)
class Assignment:
    executor_id: str
    deadline_at: datetime
    rule: str
    territory: str | None = None  # the district the routing used: from the coordinates or the resident


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
    consent: Consent | None = None  # the resident's 152-ФЗ consent: when, and to which text
    attachments: tuple[str, ...] = ()
    correlation_id: str = ""
    # The resident's tracking token, kept (like a magic-link token) so letters can carry the link;
    # API answers never include it. Requests are checked against `token_hash`.
    tracking_token: str = ""
    social: SocialRef | None = None  # where a social-media case was posted; never published
    status: Status = Status.RECEIVED
    classification: Classification | None = None
    assignment: Assignment | None = None
    assignment_count: int = 0
    pending_step: str | None = None
    pending_since: datetime | None = None
    pending_sweeps: int = 0  # how often the sweeper re-sent the pending step's message
    updated_at: datetime | None = None
    overdue: bool = False
    answers: list[Answer] = field(default_factory=list)
    published_answer_id: str | None = None
    published_at: datetime | None = None
    clarification_question: str | None = None
    rating: int | None = None
    rating_comment: str | None = None
    closed_as: str | None = None  # CLOSED_RATED | CLOSED_NO_REACTION | CLOSED_BY_OPERATOR, while closed
    clock: DeadlineClock | None = None  # the assignment's deadline clock (reminders, overdue, pause)
    overdue_counted_for: str | None = None  # the executor whose overdue counter includes this case
    duplicate_of: str | None = None  # the open case this one was linked to (same problem nearby)
    duplicate_confirmed: bool = False  # an operator confirmed the link (it leaves "duplicates to confirm")
    own_case: bool = False  # an operator unlinked it: handled on its own, never linked again
    linked_cases: tuple[str, ...] = ()  # cases linked to this one
    # The legal term runs from receipt (or from a reopening: a repeated appeal is registered anew) and is
    # extended only by the time the case waited for the resident's clarification.
    legal_start: datetime | None = None  # None: `created_at`
    resident_time: timedelta = timedelta(0)
    resident_asked_at: datetime | None = None  # waiting for the resident since
    version: int = 0
    new_events: list[CaseEvent] = field(default_factory=list)
    # What the analytics counters count for this case as stored (set by the repository on load/save).
    counted_as: Any = field(default=None, compare=False, repr=False)

    # -- the status machine -------------------------------------------------------------------
    def transition(self, target: Status, at: datetime, actor: str = SYSTEM, reason: str = "",
                   public: bool = True, details: dict[str, Any] | None = None) -> None:
        if not can_transition(self.status, target) or (
                self.status is Status.CLOSED and self.closed_as not in REOPENABLE_CLOSURES):
            raise InvalidTransition(self.status, target)
        self._record(CaseEvent(at=at, kind="status", actor=actor, from_status=self.status,
                               to_status=target, reason=reason, public=public, data=dict(details or {})))
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

    @property
    def resends_exhausted(self) -> bool:
        """The sweeper re-sent the pending step as often as it will: now it is for operators to look at."""
        return self.pending_sweeps >= MAX_STEP_RESENDS

    # -- what the pipeline does -----------------------------------------------------------------
    def send_to_moderation(self, at: datetime, reason: str, actor: str = SYSTEM) -> None:
        self.transition(Status.MODERATION, at, actor=actor, reason=reason)
        self.await_step(None, at)

    def classify(self, result: Classification, at: datetime, label: str = "", actor: str = SYSTEM) -> None:
        self.classification = result
        self.note(at, "classified", label or result.category, public=True, actor=actor, category=result.category,
                  confidence=result.confidence, method=result.method)

    @property
    def legal_deadline(self) -> datetime:
        """No assignment's deadline goes past this (59-ФЗ: 30 days from receipt, plus the resident's time)."""
        return legal_term_end(self.legal_start or self.created_at, self.resident_time)

    def assign(self, assignment: Assignment, at: datetime, actor: str = SYSTEM, reason: str = "",
               details: dict[str, Any] | None = None) -> None:
        """`details` go into the status event's data (the deciding rule, for the audit trail)."""
        self.transition(Status.ASSIGNED, at, actor=actor, reason=reason or assignment.rule, details=details)
        self.assignment = assignment
        self.assignment_count += 1
        self.overdue = False
        self.clock = DeadlineClock(started_at=at)

    # -- the executor works on it ---------------------------------------------------------------
    def acknowledge(self, at: datetime, actor: str) -> None:
        if self.status is Status.ASSIGNED:
            self.transition(Status.IN_PROGRESS, at, actor=actor, reason="Исполнитель принял обращение в работу")

    def add_answer(self, answer: Answer) -> None:
        """Record an answer. Both kinds wait for the quality check: a final one in status `answered`, an
        interim one unseen by the resident until `publish_interim`."""
        self.answers.append(answer)
        if answer.kind == "interim":
            self.acknowledge(answer.at, answer.author)
            return
        self.transition(Status.ANSWERED, answer.at, actor=answer.author, reason="Исполнитель направил ответ")

    @property
    def last_final_answer(self) -> Answer | None:
        return next((a for a in reversed(self.answers) if a.kind == "final"), None)

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)

    def judge_answer(self, verdict: str, reasons: tuple[str, ...], by: str = SYSTEM, answer_id: str | None = None
                     ) -> None:
        """The verdict on an answer (the last final one unless `answer_id` names another)."""
        answer = self.answer(answer_id) if answer_id else self.last_final_answer
        assert answer is not None
        self.answers[self.answers.index(answer)] = replace(answer, verdict=verdict, verdict_reasons=reasons,
                                                           verdict_by=by)

    def publish_interim(self, answer_id: str, public_text: str, at: datetime, actor: str = SYSTEM) -> None:
        self.note(at, "interim_answer", public_text, public=True, actor=actor, answer_id=answer_id)

    def return_interim(self, answer_id: str, at: datetime, reason: str, actor: str = SYSTEM) -> None:
        """A formal interim answer is not shown; the executor hears why. The case's status stays."""
        answer = self.answer(answer_id)
        assert answer is not None
        self.note(at, "answer_returned", reason, actor=actor, answer_id=answer_id, answer_kind="interim",
                  verdict=answer.verdict, reasons=list(answer.verdict_reasons))

    def return_answer(self, at: datetime, reason: str, actor: str = SYSTEM) -> None:
        """A formal reply («отписка») goes back to the executor with the verdict; the deadline keeps running."""
        answer = self.last_final_answer
        assert answer is not None
        self.transition(Status.RETURNED, at, actor=actor, reason=reason, public=False)
        self.note(at, "answer_returned", reason, actor=actor, answer_id=answer.id, verdict=answer.verdict,
                  reasons=list(answer.verdict_reasons))

    def publish_answer(self, at: datetime, public_text: str, actor: str = SYSTEM) -> None:
        answer = self.last_final_answer
        assert answer is not None
        self.transition(Status.PUBLISHED, at, actor=actor, reason="Ответ проверен и опубликован")
        self.published_answer_id = answer.id
        self.published_at = at
        self.await_step(WAITING_REACTION, at)
        self.note(at, "answer_published", public_text, public=True, actor=actor, answer_id=answer.id)

    # -- the resident's part --------------------------------------------------------------------
    def ask_resident(self, question: str, at: datetime, actor: str) -> None:
        self.transition(Status.CLARIFICATION, at, actor=actor, reason=question)
        self.clarification_question = question
        self.resident_asked_at = self.resident_asked_at or at
        self.pause_deadline(at)
        self.await_step(WAITING_CLARIFICATION, at)

    def resident_clarified(self, public_text: str, at: datetime) -> None:
        if self.status is not Status.CLARIFICATION:
            raise Refused("not_asked", "Уточнение сейчас не запрашивалось: ответить можно, только когда задан вопрос")
        # Back to whoever asked: the executor working on it, or the operators if nobody is assigned yet.
        back_to = Status.IN_PROGRESS if self.assignment else Status.MODERATION
        self.transition(back_to, at, actor=RESIDENT, reason="Заявитель дал уточнение")
        self.note(at, "clarification", public_text, public=True, actor=RESIDENT,
                  question=self.clarification_question or "")
        self.clarification_question = None
        if self.resident_asked_at is not None:
            self.resident_time += max(at - self.resident_asked_at, timedelta(0))
            self.resident_asked_at = None
        self.resume_deadline(at)
        self.await_step(None, at)

    # -- the resident's reaction to the published answer: a rating closes the case, reopening sends
    # -- it back to work; both only after an answer was published, reopening within the window -------
    @property
    def may_rate(self) -> bool:
        return self.published_answer_id is not None and (
            self.status is Status.PUBLISHED or (self.status is Status.CLOSED and self.closed_as == CLOSED_NO_REACTION))

    def rate(self, score: int, comment: str | None, at: datetime) -> None:
        """The resident's reaction: recorded, and a case still waiting for it is closed with the rating."""
        if not self.may_rate:
            already = self.status is Status.CLOSED and self.closed_as == CLOSED_RATED
            raise Refused("no_answer", "Ответ уже оценён" if already else "Оценить можно только опубликованный ответ")
        self.rating, self.rating_comment = score, comment
        self.note(at, "rated", f"Оценка ответа: {score} из 5", public=True, actor=RESIDENT, score=score)
        if self.status is Status.PUBLISHED:
            self.close(at, f"Заявитель оценил ответ: {score} из 5", actor=RESIDENT, closed_as=CLOSED_RATED)
        else:
            self.closed_as = CLOSED_RATED

    def reopen_until(self, window: timedelta) -> datetime | None:
        """Until when the resident may reopen the case; None when they may not at all."""
        reopenable = self.status is Status.PUBLISHED or (
            self.status is Status.CLOSED and self.closed_as in REOPENABLE_CLOSURES)
        return self.published_at + window if reopenable and self.published_at else None

    def reopen(self, reason: str, at: datetime, window: timedelta) -> None:
        until = self.reopen_until(window)
        if until is None:
            closed_by_operator = self.status is Status.CLOSED and self.closed_as == CLOSED_BY_OPERATOR
            raise Refused("reopen_closed", "Обращение закрыто оператором, повторно открыть его нельзя"
                          if closed_by_operator else "Повторно открыть можно только обращение с опубликованным ответом")
        if at > until:
            raise Refused("reopen_closed", f"Повторно открыть обращение можно в течение {window.days} дней "
                                           "после публикации ответа; этот срок истёк")
        self.transition(Status.REOPENED, at, actor=RESIDENT, reason=reason)
        self.closed_as = None
        # A repeated appeal: its legal term runs anew from now.
        self.legal_start, self.resident_time, self.resident_asked_at = at, timedelta(0), None

    def close(self, at: datetime, reason: str, actor: str = SYSTEM, closed_as: str = CLOSED_BY_OPERATOR) -> None:
        self.transition(Status.CLOSED, at, actor=actor, reason=reason)
        self.closed_as = closed_as
        self.await_step(None, at)

    def decline(self, at: datetime, actor: str, reason: str) -> None:
        """The executor says the case is not theirs: back to the operators, never to the resident."""
        executor = self.executor_id
        self.transition(Status.MODERATION, at, actor=actor, reason=reason, public=False)
        self.note(at, "declined", reason, actor=actor, executor_id=executor)
        self.assignment = None  # no longer theirs: out of their listings; the event keeps who it was
        self.await_step(None, at)

    # -- the deadline clock stands still while the resident is asked ------------------------------
    def pause_deadline(self, at: datetime) -> None:
        if self.clock is not None and self.clock.pause(at):
            self.note(at, "deadline_paused", "Срок ответа приостановлен до уточнения заявителя", public=True)

    def resume_deadline(self, at: datetime) -> None:
        if self.clock is None or self.assignment is None or not self.clock.paused:
            return
        paused = self.clock.resume(at)
        self.assignment = replace(self.assignment, deadline_at=self.assignment.deadline_at + paused)
        self.note(at, "deadline_resumed", "Срок ответа продлён на время ожидания уточнения", public=True,
                  paused_seconds=int(paused.total_seconds()), deadline=self.assignment.deadline_at.isoformat())

    # -- duplicates: the same problem reported nearby follows one case ---------------------------
    def link_to(self, main_id: str, at: datetime, reason: str) -> None:
        self.transition(Status.LINKED, at, reason=reason)
        self.duplicate_of = main_id
        self.await_step(None, at)

    def add_linked(self, case_id: str, at: datetime) -> bool:
        if case_id in self.linked_cases:
            return False
        self.linked_cases = (*self.linked_cases, case_id)
        affected = self.residents_affected
        self.note(at, "duplicate_linked", f"Ещё один житель сообщил о той же проблеме (всего жителей: {affected})",
                  public=True, linked_case=case_id, residents_affected=affected)
        return True

    def confirm_link(self, at: datetime, actor: str) -> None:
        self.duplicate_confirmed = True
        self.note(at, "duplicate_confirmed", f"Подтверждено: та же проблема, что в обращении {self.duplicate_of}",
                  actor=actor, main_case=self.duplicate_of)

    def unlink(self, at: datetime, actor: str, reason: str) -> None:
        """Not the same problem after all: the case goes on to assignment as its own case."""
        main = self.duplicate_of
        self.transition(Status.MODERATION, at, actor=actor, reason="Обращение будет рассмотрено отдельно")
        self.note(at, "duplicate_unlinked", reason, actor=actor, main_case=main)
        self.duplicate_of, self.duplicate_confirmed, self.own_case = None, False, True
        self.await_step("assign", at)

    def remove_linked(self, case_id: str, at: datetime, actor: str) -> bool:
        if case_id not in self.linked_cases:
            return False
        self.linked_cases = tuple(c for c in self.linked_cases if c != case_id)
        affected = self.residents_affected
        self.note(at, "duplicate_removed", f"Обращение {case_id} рассматривается отдельно (всего жителей: {affected})",
                  actor=actor, linked_case=case_id, residents_affected=affected)
        return True

    @property
    def residents_affected(self) -> int:
        return 1 + len(self.linked_cases)

    @property
    def executor_id(self) -> str | None:
        return self.assignment.executor_id if self.assignment else None

    @property
    def delivery_id(self) -> str:
        """Stable per assignment, so a retried webhook keeps its id and receivers can deduplicate."""
        return f"msg_{self.id}_{self.assignment_count}"
