"""Duplicates within and beyond 250 m; an operator's reassignment and an executor's decline."""

import math

import pytest

from chalicelib import reference
from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import StepMessage
from chalicelib.domain.case import Case, Classification
from chalicelib.domain.ids import token_hash
from chalicelib.domain.statuses import Status
from chalicelib.services import routing, steps, tracking
from chalicelib.services.pipeline import run_step

HOME = (59.9390, 30.3158)  # Центральный район
# Whatever the rubricator's ids: one category a district administration answers, one a city committee does.
LOCAL = next(c for c in reference.rubricator() if c.executor_type == "district_administration")
CITY = next(c for c in reference.rubricator() if c.executor_type in {
    e.type for e in reference.region().executors.values() if e.territory is None} and c.sector != LOCAL.sector)
CITY_EXECUTOR = next(e.id for e in reference.region().executors.values() if e.type == CITY.executor_type)


def north_of(point, metres):
    return point[0] + metres / 111_195, point[1]


def east_of(point, metres):
    return point[0], point[1] + metres / (111_195 * math.cos(math.radians(point[0])))


def appeal(deps, case_id, point, category=LOCAL.id, sector=LOCAL.sector):
    """A classified appeal reaching the assign step, as the pipeline hands it over."""
    now = deps.clock()
    case = Case(id=case_id, token_hash=token_hash(f"tok-{case_id}"), text="Во дворе яма", created_at=now,
                lat=point[0], lon=point[1], correlation_id=f"corr-{case_id}")
    case.classify(Classification(sector, category, 0.9, "test"), now)
    case.await_step("assign", now)
    deps.cases.add(case)
    run_step(deps, StepMessage(case_id=case_id, step="assign"), "assign", steps.assign)
    return deps.cases.get(case_id)


def test_a_report_of_the_same_problem_within_250_m_follows_the_open_case(fake_deps):
    main = appeal(fake_deps, "c_main", HOME)
    again = appeal(fake_deps, "c_again", north_of(east_of(HOME, 150), 150))  # 212 m away
    assert main.status is Status.ASSIGNED
    assert (again.status, again.duplicate_of, again.assignment) == (Status.LINKED, "c_main", None)
    main = fake_deps.cases.get("c_main")
    assert (main.linked_cases, main.residents_affected) == (("c_again",), 2)
    view = tracking.public_case(fake_deps, "c_again", "tok-c_again")
    assert (view["status"], view["executor"]["id"], view["linked_to"]) == ("assigned", "adm_tsentralny", "c_main")
    assert view["residents_affected"] == 2
    assert fake_deps.deliveries.of_case("c_again") == []  # the executor gets no second case


@pytest.mark.parametrize("where", [north_of(HOME, 260), east_of(HOME, 300)])
def test_a_report_beyond_the_radius_is_a_case_of_its_own(fake_deps, where):
    appeal(fake_deps, "c_main", HOME)
    other = appeal(fake_deps, "c_other", where)
    assert (other.status, other.duplicate_of) == (Status.ASSIGNED, None)
    assert fake_deps.cases.get("c_main").residents_affected == 1


def test_another_category_or_a_finished_case_is_not_followed(fake_deps, clock):
    appeal(fake_deps, "c_main", HOME)
    other = appeal(fake_deps, "c_other", north_of(HOME, 20), CITY.id, CITY.sector)
    assert (other.duplicate_of, other.executor_id) == (None, CITY_EXECUTOR)
    main = fake_deps.cases.get("c_main")
    main.decline(clock(), "executor:adm_tsentralny", "Не наш адрес")  # back in moderation: not followable
    fake_deps.cases.save(main)
    assert appeal(fake_deps, "c_later", north_of(HOME, 20)).duplicate_of is None


def test_a_redelivered_assign_message_counts_the_resident_once(fake_deps):
    appeal(fake_deps, "c_main", HOME)
    appeal(fake_deps, "c_again", north_of(HOME, 50))
    stale = fake_deps.cases.get("c_again")
    stale.status, stale.duplicate_of, stale.pending_step = Status.RECEIVED, None, "assign"  # as if its save was lost
    routing.assign_step(fake_deps, stale, fake_deps.clock())
    assert fake_deps.cases.get("c_main").residents_affected == 2


def test_an_operator_reassigns_with_a_reason_and_the_new_executor_is_notified(fake_deps):
    appeal(fake_deps, "c_1", HOME)
    case = routing.reassign(fake_deps, "c_1", CITY_EXECUTOR, "Дорога, а не двор", actor="operator:anna")
    assert (case.status, case.executor_id, case.assignment.rule) == (Status.ASSIGNED, CITY_EXECUTOR, "operator")
    note = next(e for e in fake_deps.cases.events("c_1") if e.kind == "reassigned")
    assert (note.actor, note.reason) == ("operator:anna", "Дорога, а не двор")
    assert (note.data["from_executor"], note.data["to_executor"]) == ("adm_tsentralny", CITY_EXECUTOR)
    assert case.pending_step == "notify"


def test_an_operator_can_let_the_rules_pick_again_after_fixing_the_category(fake_deps):
    appeal(fake_deps, "c_1", HOME)
    case = fake_deps.cases.get("c_1")
    case.decline(fake_deps.clock(), "executor:adm_tsentralny", "Это ремонт дороги")
    case.classification = Classification(CITY.sector, CITY.id, 1.0, "operator")
    fake_deps.cases.save(case)
    case = routing.reassign(fake_deps, "c_1", None, "Тема исправлена", actor="operator:anna")
    assert (case.executor_id, case.assignment.rule) == (CITY_EXECUTOR, f"type:{CITY.executor_type}")


@pytest.mark.parametrize(("executor", "reason", "status"), [("nobody", "причина", 422), ("governor_office", " ", 422),
                                                           ("adm_tsentralny", "ещё раз", 409)])
def test_a_reassignment_needs_a_known_executor_a_reason_and_a_change(fake_deps, executor, reason, status):
    appeal(fake_deps, "c_1", HOME)
    with pytest.raises(ApiError) as error:
        routing.reassign(fake_deps, "c_1", executor, reason, actor="operator:anna")
    assert error.value.status == status


def test_an_executor_declines_its_case_back_to_the_operators_not_to_the_resident(fake_deps):
    appeal(fake_deps, "c_1", HOME)
    with pytest.raises(ApiError) as error:
        routing.decline(fake_deps, "adm_nevsky", "c_1", "Не наш район")
    assert error.value.status == 404  # not its case
    case = routing.decline(fake_deps, "adm_tsentralny", "c_1", "Это дорога, не двор")
    assert case.status is Status.MODERATION and case.pending_step is None
    declined = [e for e in fake_deps.cases.events("c_1") if e.kind in ("declined", "status")][-2:]
    assert all(not e.public for e in declined) and declined[0].actor == "executor:adm_tsentralny"
    view = tracking.public_case(fake_deps, "c_1", "tok-c_1")
    assert "Это дорога" not in str(view["timeline"])
