"""What the resident does with the tracking token: clarify, rate, reopen; and what silence leads to.

Waiting on the resident is recorded like a pipeline step (`pending_step`), so the scheduled expiry
reads only the cases whose waiting time is over, through the sparse `by_pending` index.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import RatingIn, ReopenIn, ResidentClarificationIn
from chalicelib.domain.case import WAITING_CLARIFICATION, WAITING_REACTION, Assignment, Case
from chalicelib.domain.ids import token_matches
from chalicelib.domain.privacy import mask_personal_data
from chalicelib.domain.routing_rules import REOPENED_RULE
from chalicelib.domain.statuses import Status
from chalicelib.services.changes import change_case
from chalicelib.services.deps import Dependencies
from chalicelib.services.steps import deadline_for


def _holder_of(token: str | None) -> Callable[[Case], bool]:
    return lambda case: token_matches(token, case.token_hash)


def clarify(deps: Dependencies, case_id: str, token: str | None, body: ResidentClarificationIn) -> Case:
    def answer(case: Case, now: datetime) -> None:
        case.resident_clarified(mask_personal_data(body.text), now)

    return change_case(deps, case_id, _holder_of(token), answer)


def rate(deps: Dependencies, case_id: str, token: str | None, body: RatingIn) -> Case:
    def record(case: Case, now: datetime) -> None:
        if case.published_answer_id is None:
            raise ApiError(409, "no_answer", "Оценить можно только опубликованный ответ")
        case.rate(body.score, body.comment, now)

    return change_case(deps, case_id, _holder_of(token), record)


def reopen(deps: Dependencies, case_id: str, token: str | None, body: ReopenIn) -> Case:
    """Back to the same executor with a new deadline, within the reopening window."""
    def back_to_work(case: Case, now: datetime) -> None:
        window = timedelta(days=deps.settings.reopen_days)
        if case.status is not Status.PUBLISHED or case.published_at is None or now > case.published_at + window:
            raise ApiError(409, "reopen_closed", "Повторно открыть обращение уже нельзя")
        assert case.assignment is not None
        executor_id = case.assignment.executor_id
        case.reopen(body.reason, now)
        assignment = Assignment(executor_id, deadline_for(deps, case, executor_id, now), REOPENED_RULE)
        case.assign(assignment, now, reason="Повторно направлено исполнителю")
        case.await_step("notify", now)

    return change_case(deps, case_id, _holder_of(token), back_to_work)


def expire_waiting(deps: Dependencies) -> dict[str, int]:
    """Silence has consequences: no clarification → rejected; no reaction to an answer → closed."""
    now = deps.clock()
    limits = {WAITING_CLARIFICATION: (timedelta(days=deps.settings.clarification_days), _reject_unclarified),
              WAITING_REACTION: (timedelta(days=deps.settings.auto_close_days), _close_unreacted)}
    done: dict[str, int] = {}
    for step, (limit, action) in limits.items():
        expired = deps.cases.waiting_since(step, now - limit)
        done[step] = 0
        for case in expired:
            try:
                change_case(deps, case.id, _still_waiting_for(step), action)
                done[step] += 1
            except ApiError:
                continue  # the resident acted meanwhile, or it was already done

    return done


def _still_waiting_for(step: str) -> Callable[[Case], bool]:
    return lambda case: case.pending_step == step


def _reject_unclarified(case: Case, now: datetime) -> None:
    case.transition(Status.REJECTED, now, reason="Заявитель не дал уточнение в установленный срок")
    case.await_step(None, now)


def _close_unreacted(case: Case, now: datetime) -> None:
    case.close(now, "Закрыто автоматически: заявитель не оценил ответ и не открыл обращение повторно")
    case.await_step(None, now)
