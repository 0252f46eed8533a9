"""Webhooks that tell the executor what happened to its case after the assignment.

- `case.answer_returned`: its final answer went back, by the automatic check or an operator, with the
  verdict and the reasons; the deadline keeps running. An interim answer the check held back comes the
  same way (`answer_kind`: `interim`); the case's status does not change.
- `case.clarified`: the resident answered the question the executor asked; the deadline runs again.

They are sent after the case is saved (services.effects), one delivery per returned answer and per
clarification: the key is stable, so a re-run finds the delivery it made instead of sending another.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.case import Case, CaseEvent
from chalicelib.services.deliveries import send_webhook
from chalicelib.services.deps import Dependencies

ANSWER_RETURNED = "case.answer_returned"
CLARIFIED = "case.clarified"
KINDS = frozenset({"answer_returned", "clarification"})  # the events the executor is told of


def after_save(deps: Dependencies, case: Case, events: list[CaseEvent]) -> None:
    if case.executor_id is None:
        return  # nobody works on it (asked by the operators at moderation): nobody to tell
    for event in events:
        if event.kind == "answer_returned":
            send_webhook(deps, case, case.executor_id, ANSWER_RETURNED, _returned(deps, case, event),
                         key=f"returned-{event.data['answer_id']}")
        elif event.kind == "clarification":
            send_webhook(deps, case, case.executor_id, CLARIFIED, _clarified(deps, case, event),
                         key=f"clarified-{event.at:%Y%m%dT%H%M%S%f}")


def _common(deps: Dependencies, case: Case) -> dict[str, Any]:
    assert case.assignment is not None
    tz = deps.executors[case.assignment.executor_id].tz
    return {"case_id": case.id, "status": case.status.value,
            "deadline": case.assignment.deadline_at.astimezone(tz).isoformat(), "overdue": case.overdue}


def _returned(deps: Dependencies, case: Case, event: CaseEvent) -> dict[str, Any]:
    return {**_common(deps, case), "answer_id": event.data["answer_id"],
            "answer_kind": event.data.get("answer_kind", "final"), "verdict": event.data.get("verdict"),
            "reasons": list(event.data.get("reasons", [])), "returned_by": event.actor, "message": event.reason}


def _clarified(deps: Dependencies, case: Case, event: CaseEvent) -> dict[str, Any]:
    return {**_common(deps, case), "question": event.data.get("question", ""), "text": event.reason}
