"""What the resident does with the tracking token: clarify, rate, reopen; and what silence leads to.

Waiting on the resident is recorded like a pipeline step (`pending_step`), so the scheduled expiry
reads only the cases whose waiting time is over, through the sparse `by_pending` index.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import RatingIn, ReopenIn, ResidentClarificationIn
from chalicelib.domain.case import CLOSED_NO_REACTION, WAITING_CLARIFICATION, WAITING_REACTION, Assignment, Case
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
        case.resident_clarified(mask_personal_data(body.text, case.contact), now)

    return change_case(deps, case_id, _holder_of(token), answer)


def rate(deps: Dependencies, case_id: str, token: str | None, body: RatingIn) -> Case:
    """The rating is the resident's reaction: the case closes with it (and may still be reopened)."""
    return change_case(deps, case_id, _holder_of(token), lambda case, now: case.rate(body.score, body.comment, now))


def reopen(deps: Dependencies, case_id: str, token: str | None, body: ReopenIn) -> Case:
    """Back to the same executor with a new deadline, within the reopen window from the publication,
    whether the case still waits for a reaction or was closed by the rating or by silence."""
    def back_to_work(case: Case, now: datetime) -> None:
        case.reopen(body.reason, now, deps.settings.reopen_window)
        assert case.assignment is not None
        executor_id = case.assignment.executor_id
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
    case.close(now, "Закрыто автоматически: заявитель не оценил ответ и не открыл обращение повторно",
               closed_as=CLOSED_NO_REACTION)
