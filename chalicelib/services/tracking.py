"""What a resident sees with the tracking token: status, executor, deadline, public timeline, the
published answer with its files, and what they may do about it.

Contact data and internal notes never appear here. A wrong token looks exactly like a missing case.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.ids import token_matches
from chalicelib.domain.sectors import SECTORS
from chalicelib.domain.statuses import STATUS_LABELS, Status
from chalicelib.services import answers, duplicates, uploads
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
        "answer": _answer(deps, shown),
        **_reactions(deps, case),
    }


def _answer(deps: Dependencies, case: Case) -> dict[str, Any] | None:
    """The published answer while it stands: its text with personal data masked, when, and short-lived
    links to its files."""
    answer = next((a for a in case.answers if a.id == case.published_answer_id), None)
    if answer is None or case.published_at is None or case.status not in (Status.PUBLISHED, Status.CLOSED):
        return None
    return {"text": answers.public_text(case, answer.text),
            "published_at": case.published_at.astimezone(deps.region.tz).isoformat(),
            "attachments": uploads.download_links(deps, answer.attachments)}


def _reactions(deps: Dependencies, case: Case) -> dict[str, Any]:
    """What the resident may do about the answer now: rate it; reopen the case, and until when."""
    until = case.reopen_until(deps.settings.reopen_window)
    return {"can_rate": case.may_rate,
            "reopen_until": until.astimezone(deps.region.tz).isoformat() if until and until > deps.clock() else None}


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
    executor = deps.executors.get(case.executor_id or "")
    return {"id": executor.id, "name": executor.name} if executor else None


def _deadline(deps: Dependencies, case: Case) -> str | None:
    if case.assignment is None:
        return None
    return case.assignment.deadline_at.astimezone(deps.region.tz).isoformat()


def _timeline_entry(event: CaseEvent) -> dict[str, Any]:
    status = event.to_status
    return {"at": event.at.isoformat(), "kind": event.kind, "status": status.value if status else None,
            "status_label": STATUS_LABELS[status] if status else None, "note": event.reason, "by": _who(event.actor)}
