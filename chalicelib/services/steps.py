"""The pipeline's steps: screen at intake, classify, assign. Each returns the next step or None."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.case import Assignment, Case
from chalicelib.domain.routing import NoRoute
from chalicelib.domain.screening import screening_reason
from chalicelib.services.deps import Dependencies

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
    if result.confidence < CONFIDENCE_THRESHOLD:
        case.send_to_moderation(now, f"Низкая уверенность классификации ({result.confidence:.2f})")
        return None
    return "assign"


def assign(deps: Dependencies, case: Case, now: datetime) -> str | None:
    assert case.classification is not None
    category = deps.rubricator.get(case.classification.category)
    if category is None:
        case.send_to_moderation(now, "Категория отсутствует в рубрикаторе")
        return None
    try:
        decision = deps.router.route(category.id, category.sector, case.municipality)
    except NoRoute:
        case.send_to_moderation(now, "Нет правила маршрутизации")
        return None
    executor = deps.region.executors[decision.executor_id]
    deadline = category.deadline.due(now, executor.tz)
    reason = f"Срок ответа: {category.deadline.describe()}"
    case.assign(Assignment(executor.id, deadline, decision.rule.id), now, reason=reason)
    return "notify"
