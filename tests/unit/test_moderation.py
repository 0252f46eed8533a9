"""Below the confidence threshold a case waits for an operator; the operator's choice routes it and trains the model."""

import pytest

from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import AppealIn, StepMessage
from chalicelib.domain.case import Classification
from chalicelib.domain.statuses import Status
from chalicelib.services import intake, notify, steps
from chalicelib.services.moderation import choose_category
from chalicelib.services.pipeline import run_step

ACTIONS = {"intake": steps.screen, "classify": steps.classify, "assign": steps.assign, "notify": notify.deliver}
TEXT = "Прошу разобраться: звоните 8 921 123-45-67, меня зовут Иван Петров"


class FixedClassifier:
    def __init__(self, confidence):
        self.confidence = confidence

    def classify(self, text, sector_hint=None):
        return Classification("landscaping", "landscaping.yard", self.confidence, "model",
                              (("waste.yard_litter", 0.2),))


def drain(deps):
    while deps.queue.sent:
        step, message = deps.queue.sent.pop(0)
        run_step(deps, StepMessage.model_validate(message), step, ACTIONS[step])


def submit(deps, confidence, text=TEXT):
    deps.classifier = FixedClassifier(confidence)
    accepted = intake.submit_appeal(deps, AppealIn(text=text, municipality="nevsky"))
    drain(deps)
    return deps.cases.get(accepted.id)


def test_below_the_threshold_the_case_goes_to_moderation_with_the_confidence(fake_deps):
    case = submit(fake_deps, steps.CONFIDENCE_THRESHOLD - 0.01)
    assert case.status is Status.MODERATION and case.pending_step is None
    assert fake_deps.cases.events(case.id)[-1].reason == "Низкая уверенность классификации (0.54)"
    assert case.classification.category == "landscaping.yard"  # the operator sees what the model thought


def test_at_the_threshold_the_case_is_assigned(fake_deps):
    case = submit(fake_deps, steps.CONFIDENCE_THRESHOLD)
    assert case.status is Status.ASSIGNED and case.executor_id == "adm_nevsky"


def test_the_operators_choice_is_recorded_routes_the_case_and_becomes_a_training_example(fake_deps):
    case = submit(fake_deps, 0.3)
    chosen = choose_category(fake_deps, case.id, "waste.collection", "operator:anna")
    assert chosen.pending_step == "assign"
    drain(fake_deps)
    case = fake_deps.cases.get(case.id)
    assert case.status is Status.ASSIGNED and case.executor_id == "adm_nevsky"
    assert (case.classification.category, case.classification.method) == ("waste.collection", "operator")
    classified = [e for e in fake_deps.cases.events(case.id) if e.kind == "classified"][-1]
    assert classified.actor == "operator:anna" and classified.data["category"] == "waste.collection"
    (example,) = fake_deps.training.all()
    assert (example.case_id, example.category, example.actor) == (case.id, "waste.collection", "operator:anna")
    assert (example.predicted, example.confidence) == ("landscaping.yard", 0.3)
    assert "921" not in example.text and "Иван" not in example.text and "Прошу разобраться" in example.text


def test_a_category_is_chosen_only_for_a_case_in_moderation_and_only_from_the_rubricator(fake_deps):
    assigned = submit(fake_deps, 0.9)
    with pytest.raises(ApiError) as not_now:
        choose_category(fake_deps, assigned.id, "waste.collection", "operator:anna")
    assert not_now.value.status == 409
    waiting = submit(fake_deps, 0.1)
    with pytest.raises(ApiError) as unknown:
        choose_category(fake_deps, waiting.id, "waste.nonsense", "operator:anna")
    assert unknown.value.status == 422
    with pytest.raises(ApiError) as missing:
        choose_category(fake_deps, "c_missing", "waste.collection", "operator:anna")
    assert missing.value.status == 404
    assert fake_deps.training.all() == []


def test_an_operator_outside_the_cases_scope_gets_not_found_and_changes_nothing(fake_deps):
    waiting = submit(fake_deps, 0.1)
    with pytest.raises(ApiError) as hidden:
        choose_category(fake_deps, waiting.id, "waste.collection", "operator:other-district", lambda case: False)
    assert hidden.value.status == 404
    assert fake_deps.cases.get(waiting.id).status is Status.MODERATION and fake_deps.training.all() == []
