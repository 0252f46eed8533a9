"""Linking a new appeal to an open case about the same problem nearby (see domain/duplicates.py).

Runs in the assign step, after classification: the category is known, the case is not yet routed.
Candidates come from the sparse `by_geo` index (a few keys around the point), never a scan. The open
case is saved first (it counts one more resident); if the new case's own save then loses a race,
the step runs again and finds the link already made, so nobody is counted twice.

Operators review the links ("duplicates to confirm" in moderation): they confirm one (it stays linked,
recorded), or unlink it: the case goes on to assignment as its own case, never linked again, and the
open case counts one resident less.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.api.errors import ApiError
from chalicelib.domain import duplicates
from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.statuses import Status
from chalicelib.observability import log
from chalicelib.services.changes import change_case
from chalicelib.services.deps import Dependencies

NOT_LINKED = ApiError(409, "not_linked", "Обращение не объединено с другим")
SAVE_ATTEMPTS = 3


def link_if_duplicate(deps: Dependencies, case: Case, now: datetime) -> bool:
    if case.own_case:
        return False
    keys = duplicates.keys_around(case)
    if not keys:
        return False
    main = duplicates.nearest_followable(case, deps.cases.followable_near(keys))
    if main is None:
        return False
    if main.add_linked(case.id, now):
        deps.cases.save(main)  # a ConcurrentUpdate re-runs the whole step on fresh data
    case.link_to(main.id, now, reason="О той же проблеме рядом уже сообщили: следите за общим обращением")
    return True


def followed(deps: Dependencies, case: Case) -> Case:
    """The case a resident follows: the open case it was linked to, or the case itself."""
    if case.duplicate_of is None:
        return case
    return deps.cases.get(case.duplicate_of) or case


def shared_timeline(deps: Dependencies, case: Case, main: Case) -> list[CaseEvent]:
    """The resident's own public steps up to the link, then the followed case's from then on."""
    own = [e for e in deps.cases.events(case.id) if e.public]
    if main is case:
        return own
    linked_at = own[-1].at if own else case.created_at
    return own + [e for e in deps.cases.events(main.id) if e.public and e.at >= linked_at]


def to_confirm(case: Case) -> bool:
    return case.status is Status.LINKED and not case.duplicate_confirmed


def confirm(deps: Dependencies, case_id: str, actor: str, allowed: Callable[[Case], bool]) -> Case:
    def keep_link(case: Case, now: datetime) -> None:
        if not to_confirm(case):
            raise NOT_LINKED if case.status is not Status.LINKED else ApiError(
                409, "already_confirmed", "Объединение уже подтверждено")
        case.confirm_link(now, actor)

    return change_case(deps, case_id, allowed, keep_link)


def unlink(deps: Dependencies, case_id: str, actor: str, reason: str, allowed: Callable[[Case], bool]) -> Case:
    """The case goes to assignment on its own (change_case queues the assign step); the open case it
    followed counts one resident less."""
    main_ids: list[str] = []

    def split(case: Case, now: datetime) -> None:
        if case.status is not Status.LINKED or case.duplicate_of is None:
            raise NOT_LINKED
        main_ids.append(case.duplicate_of)
        case.unlink(now, actor, reason)

    case = change_case(deps, case_id, allowed, split)
    _forget_linked(deps, main_ids[-1], case.id, actor)
    return case


def _forget_linked(deps: Dependencies, main_id: str, case_id: str, actor: str) -> None:
    for _ in range(SAVE_ATTEMPTS):
        main = deps.cases.get(main_id)
        if main is None or not main.remove_linked(case_id, deps.clock(), actor):
            return
        try:
            deps.cases.save(main)
            return
        except ConcurrentUpdate:
            continue
    log("open case not updated after an unlink: its residents count is one too high", logging.WARNING,
        case_id=main_id, linked_case=case_id)
