"""What every queue parked in its dead-letter queue, for operators to look at and send back.

Queue messages carry only ids (case, correlation, step, webhook), never residents' text or contacts,
so showing their bodies is safe. Sending one back is harmless when its work was done meanwhile:
every consumer ignores a message whose case or delivery has moved on.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.ports import DeadLetter
from chalicelib.api.errors import ApiError
from chalicelib.observability import log
from chalicelib.services.deps import Dependencies
from chalicelib.settings import QUEUES


def overview(deps: Dependencies) -> list[dict[str, Any]]:
    return [{"queue": step, "parked": deps.dead_letters.count(step)} for step in QUEUES]


def messages(deps: Dependencies, step: str, limit: int = 100) -> list[dict[str, Any]]:
    return [view(m) for m in deps.dead_letters.peek(_known(step), limit)]


def redrive(deps: Dependencies, step: str, message_ids: list[str] | None = None) -> int:
    """Send the chosen (or, with None, all) parked messages back to their queue; how many went."""
    moved = deps.dead_letters.redrive(_known(step), set(message_ids) if message_ids is not None else None)
    log("dead letters sent back", queue=step, moved=moved)
    return moved


def view(message: DeadLetter) -> dict[str, Any]:
    try:
        parsed = json.loads(message.body)
    except ValueError:
        parsed = None
    fields = parsed if isinstance(parsed, dict) else {}
    return {"message_id": message.message_id, "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            "receive_count": message.receive_count, "case_id": fields.get("case_id"),
            "webhook_id": fields.get("webhook_id"), "body": message.body}


def _known(step: str) -> str:
    if step not in QUEUES:
        raise ApiError(404, "not_found", f"Нет такой очереди: {step}; есть {', '.join(QUEUES)}")
    return step
