"""What a resident sees with the tracking token: status, executor, deadline, public timeline.

Contact data and internal notes never appear here. A wrong token looks exactly like a missing case.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.ids import token_matches
from chalicelib.domain.sectors import SECTORS
from chalicelib.domain.statuses import STATUS_LABELS, Status
from chalicelib.services import duplicates
from chalicelib.services.deps import Dependencies


def public_case(deps: Dependencies, case_id: str, token: str | None) -> dict[str, Any] | None:
    case = deps.cases.get(case_id)
    if case is None or not token_matches(token, case.token_hash):
        return None
    shown = duplicates.followed(deps, case)  # a duplicate shows the open case it was linked to
    timeline = duplicates.shared_timeline(deps, case, shown)
    return {
        **_classification(deps, shown),
        "id": case.id,
        "status": shown.status.value,
        "status_label": STATUS_LABELS[shown.status],
        "linked_to": case.duplicate_of,
        "residents_affected": shown.residents_affected,
        "municipality": case.municipality,
        "municipality_name": _municipality_name(deps, case.municipality),
        "address": case.address,
        "created_at": case.created_at.isoformat(),
        "executor": _executor(deps, shown),
        "deadline": _deadline(deps, shown),
        "timeline": [_timeline_entry(e) for e in timeline],
        "answer": _answer(shown, timeline),
    }


def _answer(case: Case, timeline: list[CaseEvent]) -> dict[str, str] | None:
    """The published answer as the resident reads it (personal data masked), while it stands."""
    published = next((e for e in reversed(timeline) if e.kind == "answer_published"), None)
    if published is None or case.status not in (Status.PUBLISHED, Status.CLOSED):
        return None
    return {"text": published.reason, "published_at": published.at.isoformat()}


def _who(actor: str) -> str:
    """Who made a step, as the resident may know it: the ЦУР's operator, the executor, the resident, the system."""
    kind = actor.split(":", 1)[0]
    return kind if kind in ("operator", "executor", "resident") else "system"


def _classification(deps: Dependencies, case: Case) -> dict[str, Any]:
    if case.classification is None:
        return {"sector": None, "sector_name": None, "category": None, "category_name": None}
    category = deps.rubricator.get(case.classification.category)
    return {"sector": case.classification.sector, "sector_name": SECTORS.get(case.classification.sector),
            "category": case.classification.category, "category_name": category.name if category else None}


def _municipality_name(deps: Dependencies, municipality_id: str | None) -> str | None:
    municipality = deps.region.municipalities.get(municipality_id or "")
    return municipality.name if municipality else None


def _executor(deps: Dependencies, case: Case) -> dict[str, str] | None:
    executor = deps.region.executors.get(case.executor_id or "")
    return {"id": executor.id, "name": executor.name} if executor else None


def _deadline(deps: Dependencies, case: Case) -> str | None:
    if case.assignment is None:
        return None
    return case.assignment.deadline_at.astimezone(deps.region.tz).isoformat()


def _timeline_entry(event: CaseEvent) -> dict[str, Any]:
    status = event.to_status
    return {"at": event.at.isoformat(), "kind": event.kind, "status": status.value if status else None,
            "status_label": STATUS_LABELS[status] if status else None, "note": event.reason, "by": _who(event.actor)}
