from datetime import UTC, datetime

import pytest

from chalicelib.domain.case import Case
from chalicelib.domain.statuses import ALLOWED_TRANSITIONS, InvalidTransition, Status

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def new_case() -> Case:
    return Case(id="c_1", token_hash="h", text="Яма на дороге у дома 5", created_at=NOW)


def test_every_status_has_its_transitions_defined():
    assert set(ALLOWED_TRANSITIONS) == set(Status)
    assert ALLOWED_TRANSITIONS[Status.REJECTED] == frozenset()


def test_a_transition_is_recorded_with_who_when_from_to_and_why():
    case = new_case()
    case.transition(Status.MODERATION, NOW, actor="operator:ivanova", reason="Нет адреса")
    event = case.new_events[-1]
    assert (event.actor, event.at, event.from_status, event.to_status, event.reason) == (
        "operator:ivanova", NOW, Status.RECEIVED, Status.MODERATION, "Нет адреса")
    assert case.status is Status.MODERATION


@pytest.mark.parametrize(("start", "target"), [
    (Status.RECEIVED, Status.PUBLISHED),
    (Status.CLOSED, Status.ASSIGNED),
    (Status.REJECTED, Status.ASSIGNED),
    (Status.ANSWERED, Status.CLOSED),
])
def test_forbidden_transitions_are_refused_and_change_nothing(start, target):
    case = new_case()
    case.status = start
    with pytest.raises(InvalidTransition):
        case.transition(target, NOW)
    assert case.status is start
    assert case.new_events == []


def test_a_declined_case_goes_back_to_the_operator_not_to_the_resident():
    assert Status.MODERATION in ALLOWED_TRANSITIONS[Status.ASSIGNED]
    assert Status.RECEIVED not in ALLOWED_TRANSITIONS[Status.ASSIGNED]


def test_each_assignment_gets_its_own_stable_delivery_id():
    from chalicelib.domain.case import Assignment

    case = new_case()
    case.assign(Assignment("adm_nevsky", NOW, "rule"), NOW)
    first = case.delivery_id
    assert first == case.delivery_id
    case.status = Status.REOPENED
    case.assign(Assignment("adm_nevsky", NOW, "rule"), NOW)
    assert case.delivery_id != first
