"""What an executor does through its API: see its own cases, acknowledge, answer, ask the resident.

A key sees and changes only its executor's cases: anyone else's case answers 404, as if it did not
exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.api.errors import ApiError, bad_field
from chalicelib.api.schemas import AnswerIn, CaseListQuery, ClarificationIn
from chalicelib.auth.api_keys import parse_key
from chalicelib.domain.attachments import case_prefix
from chalicelib.domain.case import Answer, Case
from chalicelib.domain.sectors import SECTORS
from chalicelib.domain.statuses import STATUS_LABELS, Status
from chalicelib.services import answers, uploads
from chalicelib.services.changes import change_case
from chalicelib.services.deps import Dependencies

MAX_READS = 10  # index pages one listing request may read while filtering
UNAUTHORIZED = ApiError(401, "unauthorized", "Нужен действующий API-ключ исполнителя: Authorization: Bearer tsk_…")


def authenticate(deps: Dependencies, authorization: str | None) -> str:
    """The executor id behind a bearer key, or 401."""
    scheme, _, presented = (authorization or "").partition(" ")
    key_id = parse_key(presented.strip()) if scheme.lower() == "bearer" else None
    key = deps.api_keys.get(key_id) if key_id else None
    if key is None or not key.matches(presented.strip()):
        raise UNAUTHORIZED
    return key.executor_id


def list_cases(deps: Dependencies, executor_id: str, query: CaseListQuery) -> dict[str, Any]:
    """A page of the executor's cases from the `by_executor` index (in a status, if asked), newest first.

    `overdue` and `category` filter what the index gives: pages are read, never more than the room left
    on this page, so the cursor always points just past the last case looked at (at most MAX_READS reads).
    """
    if query.status is not None and query.status not in Status.__members__.values():
        raise bad_field("status", "Неизвестный статус")
    if query.category is not None and deps.rubricator.get(query.category) is None:
        raise bad_field("category", "Неизвестная категория")
    found: list[Case] = []
    cursor = query.cursor
    for _ in range(MAX_READS):
        try:
            cases, cursor = deps.cases.of_executor(executor_id, query.status, query.limit - len(found), cursor)
        except ValueError:
            raise bad_field("cursor", "Неверный курсор") from None
        found.extend(c for c in cases if _wanted(c, query))
        if len(found) >= query.limit or cursor is None:
            break
    return {"cases": [executor_view(deps, c) for c in found], "next_cursor": cursor}


def _wanted(case: Case, query: CaseListQuery) -> bool:
    category = case.classification.category if case.classification else None
    return (query.overdue is None or case.overdue == query.overdue) and (
        query.category is None or category == query.category)


def own_case(deps: Dependencies, executor_id: str, case_id: str) -> Case:
    case = deps.cases.get(case_id)
    if case is None or case.executor_id != executor_id:
        raise ApiError(404, "not_found", "Обращение не найдено")
    return case


def executor_view(deps: Dependencies, case: Case) -> dict[str, Any]:
    c = case.classification
    category = deps.rubricator.get(c.category) if c else None
    tz = deps.executors[case.executor_id].tz if case.executor_id else deps.region.tz
    return {
        "id": case.id, "status": case.status.value, "status_label": STATUS_LABELS[case.status],
        "text": case.text, "address": case.address, "lat": case.lat, "lon": case.lon,
        "municipality": case.municipality, "sector": c.sector if c else None,
        "sector_name": SECTORS.get(c.sector) if c else None, "category": c.category if c else None,
        "category_name": category.name if category else None, "attachments": list(case.attachments),
        "files": uploads.download_links(deps, case.attachments),  # the resident's photos, to read for 15 minutes
        "deadline": case.assignment.deadline_at.astimezone(tz).isoformat() if case.assignment else None,
        "overdue": case.overdue, "created_at": case.created_at.isoformat(),
        "residents_affected": case.residents_affected,
        "clarification_question": case.clarification_question,
        "answers": [answers.view(deps, a) for a in case.answers],
    }


def _mine(executor_id: str) -> Callable[[Case], bool]:
    return lambda case: case.executor_id == executor_id


def acknowledge(deps: Dependencies, executor_id: str, case_id: str) -> Case:
    return change_case(deps, case_id, _mine(executor_id),
                       lambda case, now: case.acknowledge(now, f"executor:{executor_id}"))


def post_answer(deps: Dependencies, executor_id: str, case_id: str, body: AnswerIn) -> Case:
    own_case(deps, executor_id, case_id)  # someone else's case is a 404 before anything is said about files
    prefix = case_prefix(case_id)
    uploads.require_form(body.attachments, prefix,
                         f"Вложение ответа: файл, загруженный через POST /v1/executor/cases/{case_id}/attachments")
    uploads.require_uploaded(deps, body.attachments)

    def record(case: Case, now: datetime) -> None:
        answer = Answer(id=uuid.uuid4().hex[:12], kind=body.kind, text=body.text, at=now,
                        author=f"executor:{executor_id}", attachments=tuple(body.attachments))
        case.add_answer(answer)
        (answers.review if answer.kind == "final" else answers.review_interim)(deps, case, now)

    return change_case(deps, case_id, _mine(executor_id), record)


def request_clarification(deps: Dependencies, executor_id: str, case_id: str, body: ClarificationIn) -> Case:
    return change_case(deps, case_id, _mine(executor_id),
                       lambda case, now: case.ask_resident(body.question, now, f"executor:{executor_id}"))
