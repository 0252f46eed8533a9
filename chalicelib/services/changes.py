"""Changing one case on behalf of someone (executor, resident, operator): load, check, mutate, save.

A concurrent change makes the save fail; the caller gets a clean 409 and can retry, nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.api.errors import ApiError
from chalicelib.domain.case import Case, Refused
from chalicelib.domain.statuses import STATUS_LABELS, InvalidTransition, Status
from chalicelib.observability import log_context
from chalicelib.services import effects
from chalicelib.services.deps import Dependencies
from chalicelib.services.pipeline import enqueue
from chalicelib.settings import PIPELINE_STEPS

NOT_FOUND = ApiError(404, "not_found", "Обращение не найдено")


def wrong_status(status: Status) -> ApiError:
    return ApiError(409, "invalid_status", f"Действие недоступно в статусе «{STATUS_LABELS[status]}»")


def change_case(deps: Dependencies, case_id: str, allowed: Callable[[Case], bool],
                mutate: Callable[[Case, datetime], None]) -> Case:
    """Apply `mutate` to the case if `allowed` says the caller may see it; 404 otherwise."""
    case = deps.cases.get(case_id)
    if case is None or not allowed(case):
        raise NOT_FOUND
    with log_context(case_id=case.id, correlation_id=case.correlation_id):
        waiting_before = case.pending_step
        now = deps.clock()
        try:
            mutate(case, now)
        except InvalidTransition as exc:
            raise wrong_status(exc.current) from exc
        except Refused as exc:
            raise ApiError(409, exc.code, str(exc)) from exc
        owed = effects.owed_by(case, now)
        try:
            deps.cases.save(case, owed)
        except ConcurrentUpdate as exc:
            raise ApiError(409, "conflict", "Обращение только что изменилось, повторите запрос") from exc
        if case.pending_step in PIPELINE_STEPS and case.pending_step != waiting_before:
            enqueue(deps, case, case.pending_step)
        effects.deliver(deps, case, owed)
    return case
