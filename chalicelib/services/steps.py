"""The pipeline's steps: screen at intake, classify, assign. Each returns the next step or None."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.case import Case
from chalicelib.domain.classifier import HINT_ONLY
from chalicelib.domain.screening import screening_reason
from chalicelib.services import routing
from chalicelib.services.deps import Dependencies
from chalicelib.services.routing import deadline_for

__all__ = ["assign", "classify", "deadline_for", "screen"]  # deadline_for now lives in services/routing.py

CONFIDENCE_THRESHOLD = 0.55


def screen(deps: Dependencies, case: Case, now: datetime) -> str | None:
    reason = screening_reason(case.text)
    if reason:
        case.send_to_moderation(now, reason)
        return None
    case.note(now, "screened", "Обращение прошло автоматическую проверку", public=True)
    return "classify"


def classify(deps: Dependencies, case: Case, now: datetime) -> str | None:
    result = deps.classifier.classify(case.text, case.sector_hint)
    if result is None:
        case.send_to_moderation(now, "Не удалось определить тему обращения")
        return None
    category = deps.rubricator.get(result.category)
    case.classify(result, now, label=f"Тема: {category.name}" if category else "")
    if result.method == HINT_ONLY:
        case.send_to_moderation(now, "Тема не определена по тексту: есть только сфера, выбранная заявителем")
        return None
    if result.confidence < CONFIDENCE_THRESHOLD:
        case.send_to_moderation(now, f"Низкая уверенность классификации ({result.confidence:.2f})")
        return None
    return "assign"


def assign(deps: Dependencies, case: Case, now: datetime) -> str | None:
    """Link a duplicate, or route with a deadline (services/routing.py)."""
    return routing.assign_step(deps, case, now)
