"""What operators do to cases: moderation decisions, duplicates, and case work.

Every call names the operator (`Principal`); a case outside their scope is a 404, an action their
role may not take is a 403, and both change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.api.errors import ApiError, bad_field
from chalicelib.auth.operators import Principal
from chalicelib.domain.case import Case
from chalicelib.domain.statuses import Status
from chalicelib.services import answers, duplicates, moderation, routing
from chalicelib.services.admin import in_scope, visible_case
from chalicelib.services.changes import change_case
from chalicelib.services.deps import Dependencies
from chalicelib.services.operators import FORBIDDEN, require


def act(deps: Dependencies, principal: Principal, case_id: str, mutate: Callable[[Case, datetime], None]) -> Case:
    if not principal.works_cases:
        raise FORBIDDEN
    return change_case(deps, case_id, lambda case: in_scope(principal, case), mutate)


def accept(deps: Dependencies, principal: Principal, case_id: str) -> Case:
    """From moderation to the executor, with the classification the case has."""
    def to_assignment(case: Case, now: datetime) -> None:
        if case.status is not Status.MODERATION or case.classification is None:
            raise ApiError(409, "invalid_status", "Принять можно обращение на модерации с определённой темой")
        case.note(now, "moderated", "Оператор подтвердил тему", actor=principal.actor)
        case.await_step("assign", now)

    return act(deps, principal, case_id, to_assignment)


def choose_category(deps: Dependencies, principal: Principal, case_id: str, category_id: str) -> Case:
    """The operator's category wins; it is kept as a training example for the classifier."""
    require(principal, principal.works_cases)
    return moderation.choose_category(deps, case_id, category_id, principal.actor,
                                      allowed=lambda case: in_scope(principal, case))


def confirm_duplicate(deps: Dependencies, principal: Principal, case_id: str) -> Case:
    require(principal, principal.works_cases)
    return duplicates.confirm(deps, case_id, principal.actor, allowed=lambda case: in_scope(principal, case))


def unlink_duplicate(deps: Dependencies, principal: Principal, case_id: str, reason: str) -> Case:
    require(principal, principal.works_cases)
    return duplicates.unlink(deps, case_id, principal.actor, reason, allowed=lambda case: in_scope(principal, case))


def reject(deps: Dependencies, principal: Principal, case_id: str, reason: str) -> Case:
    def refuse(case: Case, now: datetime) -> None:
        case.transition(Status.REJECTED, now, actor=principal.actor, reason=reason)
        case.await_step(None, now)

    return act(deps, principal, case_id, refuse)


def clarify(deps: Dependencies, principal: Principal, case_id: str, question: str) -> Case:
    return act(deps, principal, case_id, lambda case, now: case.ask_resident(question, now, principal.actor))


def close(deps: Dependencies, principal: Principal, case_id: str, reason: str) -> Case:
    return act(deps, principal, case_id, lambda case, now: case.close(now, reason, actor=principal.actor))


def reassign(deps: Dependencies, principal: Principal, case_id: str, executor_id: str | None, reason: str) -> Case:
    visible_case(deps, principal, case_id)
    require(principal, principal.works_cases)
    if executor_id is not None and executor_id not in deps.executors:
        raise bad_field("executor_id", "Нет такого исполнителя")
    return routing.reassign(deps, case_id, executor_id, reason, principal.actor)


def publish(deps: Dependencies, principal: Principal, case_id: str) -> Case:
    visible_case(deps, principal, case_id)
    require(principal, principal.works_cases)
    return answers.confirm(deps, case_id, principal.actor)


def publish_interim(deps: Dependencies, principal: Principal, case_id: str, answer_id: str) -> Case:
    visible_case(deps, principal, case_id)
    require(principal, principal.works_cases)
    return answers.publish_held_interim(deps, case_id, answer_id, principal.actor)


def send_back(deps: Dependencies, principal: Principal, case_id: str, reason: str) -> Case:
    visible_case(deps, principal, case_id)
    require(principal, principal.works_cases)
    return answers.send_back(deps, case_id, reason, principal.actor)
