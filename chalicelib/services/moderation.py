"""Operators' moderation: choosing the category of a case the classifier was unsure about.

The choice is recorded on the case (who, when, which category), the case goes on to assignment (the
assign step routes it and sets the deadline), and the text, with personal data masked, is kept as a
training example, so the next `tsur train` learns from what operators decided.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from chalicelib.adapters.ports import TrainingExample
from chalicelib.api.errors import ApiError, bad_field
from chalicelib.domain.case import Case, Classification
from chalicelib.domain.privacy import mask_personal_data
from chalicelib.domain.statuses import Status
from chalicelib.observability import log
from chalicelib.services.changes import change_case
from chalicelib.services.deps import Dependencies

OPERATOR_METHOD = "operator"


def choose_category(deps: Dependencies, case_id: str, category_id: str, actor: str,
                    allowed: Callable[[Case], bool] = lambda case: True) -> Case:
    """Set the category of a case in moderation and send it to assignment; 409 in any other status.

    `allowed` says whether the actor may see the case (a district operator only their district's): 404 if not.
    """
    category = deps.rubricator.get(category_id)
    if category is None:
        raise bad_field("category", "Такой темы нет в рубрикаторе", "Проверьте тему обращения")
    predicted: list[Classification | None] = []

    def choose(case: Case, now: datetime) -> None:
        if case.status is not Status.MODERATION:
            raise ApiError(409, "not_in_moderation", "Тему выбирают только для обращений на модерации")
        predicted.append(case.classification)
        case.classify(Classification(sector=category.sector, category=category.id, confidence=1.0,
                                     method=OPERATOR_METHOD), now, label=f"Тема: {category.name}", actor=actor)
        case.await_step("assign", now)

    case = change_case(deps, case_id, allowed, choose)
    _keep_example(deps, case, actor, predicted[0])
    return case


def _keep_example(deps: Dependencies, case: Case, actor: str, predicted: Classification | None) -> None:
    assert case.classification is not None
    example = TrainingExample(case_id=case.id, category=case.classification.category,
                              text=mask_personal_data(case.text, case.contact), actor=actor, at=deps.clock(),
                              predicted=predicted.category if predicted else None,
                              confidence=predicted.confidence if predicted else None)
    try:
        deps.training.add(example)
    except Exception:  # the case is already on its way; a lost example must not fail the operator
        log("training example not saved", logging.WARNING, case_id=case.id, exc_info=True)
