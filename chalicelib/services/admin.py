"""What operators read: search, the moderation queue (with the duplicates to confirm), the case page.

Every call names the operator (`Principal`); a case outside their scope is a 404, an action their
role may not take is a 403, and both change nothing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from chalicelib.api.admin_schemas import CaseQuery
from chalicelib.api.errors import ApiError, bad_field
from chalicelib.auth.operators import Principal, Role
from chalicelib.domain.aggregates import district_of
from chalicelib.domain.case import Case
from chalicelib.domain.geo import distance_m
from chalicelib.domain.sectors import SECTORS
from chalicelib.domain.statuses import STATUS_LABELS, Status
from chalicelib.services import answers, deliveries, duplicates
from chalicelib.services.deps import Dependencies
from chalicelib.services.operators import require

PAGE = 100
MONTHS_BACK = 24
NOT_FOUND = ApiError(404, "not_found", "Обращение не найдено")


def sector_of(case: Case) -> str | None:
    return case.classification.sector if case.classification else case.sector_hint


def in_scope(principal: Principal, case: Case) -> bool:
    return principal.sees(district_of(case), sector_of(case), case.executor_id)


# -- reading -------------------------------------------------------------------------------------
def search(deps: Dependencies, principal: Principal, query: CaseQuery) -> dict[str, Any]:
    found, state = find(deps, principal, query)
    return {"cases": [summary(deps, c) for c in found], "next_cursor": _encode(state) if state else None}


def find(deps: Dependencies, principal: Principal, query: CaseQuery, keep: Callable[[Case], bool] = lambda c: True
         ) -> tuple[list[Case], dict[str, Any] | None]:
    """Up to `query.limit` cases in the user's scope matching the query (and `keep`); where to go on."""
    require(principal, principal.reads_cases)
    if query.status is not None and query.status not in Status.__members__.values():
        raise bad_field("status", "Неизвестный статус")
    state: dict[str, Any] | None = _decode(query.cursor) if query.cursor else _start(deps, principal, query)
    found: list[Case] = []
    while len(found) < query.limit and state is not None:
        cases, following = _next_page(deps, query, state)
        for n in range(state.get("skip", 0), len(cases)):
            if in_scope(principal, cases[n]) and _matches(cases[n], query) and keep(cases[n]):
                found.append(cases[n])
            if len(found) == query.limit and n + 1 < len(cases):
                following = {**state, "skip": n + 1}  # the rest of this page: the next answer reads it again
                break
        state = following
    return found, state


def _start(deps: Dependencies, principal: Principal, query: CaseQuery) -> dict[str, Any]:
    """Which listing to walk: the most selective one the query and the user's scope allow."""
    municipality = principal.municipality if principal.role is Role.MUNICIPAL_OPERATOR else query.municipality
    if query.status:
        return {"i": "by_status", "v": query.status, "c": None}
    if municipality:
        return {"i": "by_municipality", "v": municipality, "c": None}
    until = query.to or deps.clock().date()
    return {"i": "by_month", "v": until.strftime("%Y-%m"), "c": None}


def _next_page(deps: Dependencies, query: CaseQuery, state: dict[str, Any]) -> tuple[list[Case], dict[str, Any] | None]:
    since = datetime.combine(query.from_, time.min, deps.region.tz) if query.from_ else None
    until = datetime.combine(query.to, time.max, deps.region.tz) if query.to else None
    cases, cursor = deps.cases.listing(state["i"], state["v"], PAGE, state["c"], since, until)
    if cursor:
        return cases, {"i": state["i"], "v": state["v"], "c": cursor}
    if state["i"] == "by_month":
        return cases, _earlier_month(deps, state["v"], query)
    return cases, None


def _earlier_month(deps: Dependencies, month: str, query: CaseQuery) -> dict[str, Any] | None:
    previous = (datetime.strptime(month + "-01", "%Y-%m-%d") - timedelta(days=1)).strftime("%Y-%m")
    floor = query.from_.strftime("%Y-%m") if query.from_ else (
        deps.clock() - timedelta(days=31 * MONTHS_BACK)).strftime("%Y-%m")
    return {"i": "by_month", "v": previous, "c": None} if previous >= floor else None


def _matches(case: Case, q: CaseQuery) -> bool:
    c = case.classification
    checks = [(q.status, case.status.value), (q.sector, sector_of(case)), (q.category, c.category if c else None),
              (q.executor, case.executor_id), (q.municipality, district_of(case)), (q.source, case.source),
              (q.overdue, case.overdue)]
    return all(wanted is None or wanted == actual for wanted, actual in checks)


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _decode(cursor: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        state = None
    if not (isinstance(state, dict) and state.get("i") in ("by_status", "by_month", "by_municipality")
            and isinstance(state.get("v"), str) and isinstance(state.get("c"), str | None)
            and isinstance(state.get("skip", 0), int) and state.get("skip", 0) >= 0):
        raise bad_field("cursor", "Неверный курсор")
    return state


def moderation_queue(deps: Dependencies, principal: Principal, limit: int = 100) -> dict[str, Any]:
    """Cases in moderation, and duplicates linked automatically that no operator has confirmed yet."""
    result = search(deps, principal, CaseQuery.model_validate({"status": Status.MODERATION.value, "limit": limit}))
    linked, _ = find(deps, principal, CaseQuery.model_validate({"status": Status.LINKED.value, "limit": limit}),
                     keep=duplicates.to_confirm)
    return {"cases": result["cases"], "next_cursor": result["next_cursor"],
            "duplicates": [duplicate_summary(deps, principal, c) for c in linked]}


def duplicate_summary(deps: Dependencies, principal: Principal, case: Case) -> dict[str, Any]:
    """A linked case with the open case it follows (what an operator needs to confirm or undo the link)."""
    main = deps.cases.get(case.duplicate_of or "")
    shown = main is not None and in_scope(principal, main)
    return {**summary(deps, case), "duplicate_of": {
        "id": case.duplicate_of, "visible": shown,
        "status_label": STATUS_LABELS[main.status] if main else None,
        "text_preview": main.text[:160] if main and shown else None,
        "residents_affected": main.residents_affected if main else None,
        "distance_m": _distance(case, main)}}


def _distance(case: Case, main: Case | None) -> int | None:
    if main is None or None in (case.lat, case.lon, main.lat, main.lon):
        return None
    return round(distance_m(case.lat, case.lon, main.lat, main.lon))  # type: ignore[arg-type]


def visible_case(deps: Dependencies, principal: Principal, case_id: str) -> Case:
    require(principal, principal.reads_cases)
    case = deps.cases.get(case_id)
    if case is None or not in_scope(principal, case):
        raise NOT_FOUND
    return case


def summary(deps: Dependencies, case: Case) -> dict[str, Any]:
    c = case.classification
    category = deps.rubricator.get(c.category) if c else None
    district = deps.region.municipalities.get(district_of(case))
    executor = deps.executors.get(case.executor_id or "")
    reason = next((e.reason for e in reversed(deps.cases.events(case.id)) if e.to_status is Status.MODERATION),
                  None) if case.status is Status.MODERATION else None
    return {
        "id": case.id, "created_at": case.created_at.isoformat(), "status": case.status.value,
        "status_label": STATUS_LABELS[case.status], "sector": sector_of(case),
        "sector_name": SECTORS.get(sector_of(case) or ""), "category": c.category if c else None,
        "category_name": category.name if category else None, "municipality": district.id if district else None,
        "municipality_name": district.name if district else None,
        "executor": {"id": executor.id, "name": executor.name} if executor else None,
        "deadline": case.assignment.deadline_at.astimezone(deps.region.tz).isoformat() if case.assignment else None,
        "overdue": case.overdue, "source": case.source, "text_preview": case.text[:160],
        "moderation_reason": reason,
        "classification": {"sector": c.sector, "category": c.category, "confidence": c.confidence,
                           "method": c.method, "alternatives": [list(a) for a in c.alternatives]} if c else None,
    }


def detail(deps: Dependencies, principal: Principal, case_id: str) -> dict[str, Any]:
    case = visible_case(deps, principal, case_id)
    return {
        **summary(deps, case), "text": case.text, "address": case.address, "lat": case.lat, "lon": case.lon,
        "contact_present": case.contact is not None,
        "consent": {"at": case.consent.at.isoformat(), "version": case.consent.version} if case.consent else None,
        "attachments": [{"key": k, "url": deps.storage.presign_download(k)} for k in case.attachments],
        "assignment": {"executor_id": case.assignment.executor_id, "rule": case.assignment.rule,
                       "deadline": case.assignment.deadline_at.isoformat()} if case.assignment else None,
        "timeline": [{"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor,
                      "from_status": e.from_status.value if e.from_status else None,
                      "to_status": e.to_status.value if e.to_status else None, "reason": e.reason,
                      "public": e.public} for e in deps.cases.events(case.id)],
        "deliveries": [deliveries.view(d) for d in deps.deliveries.of_case(case.id)],
        "answers": [answers.view(deps, a) for a in case.answers],
        "linked_cases": list(case.linked_cases), "duplicate_of": case.duplicate_of,
        "duplicate_confirmed": case.duplicate_confirmed, "residents_affected": case.residents_affected,
        "rating": case.rating,
    }
