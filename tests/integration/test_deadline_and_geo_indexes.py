"""Deadlines, overdue counters and duplicates on moto, through the indexes infra/ defines."""

from datetime import timedelta

from chalicelib.domain.case import Assignment, Case, Classification
from chalicelib.domain.duplicates import keys_around
from chalicelib.domain.statuses import Status
from chalicelib.services import deadlines, routing
from tests.integration.test_dynamo_adapters import full_case


def yard_case(now, case_id, lat=59.9390, lon=30.3158, hours=10):
    case = Case(id=case_id, token_hash="h", text="Во дворе яма", created_at=now, lat=lat, lon=lon)
    case.classify(Classification("landscaping", "landscaping.yard", 0.9, "test"), now)
    case.assign(Assignment("adm_tsentralny", now + timedelta(hours=hours), "test", "tsentralny"), now)
    return case


def test_the_clock_links_and_counters_round_trip(moto_deps, clock):
    case = full_case(clock())
    case.linked_cases = ("c_2", "c_3")
    case.pause_deadline(clock() + timedelta(hours=1))
    case.legal_start, case.resident_time, case.resident_asked_at = clock(), timedelta(hours=7), clock()
    moto_deps.cases.add(case)
    loaded = moto_deps.cases.get(case.id)
    for field in ("clock", "linked_cases", "duplicate_of", "overdue_counted_for", "assignment", "legal_start",
                  "resident_time", "resident_asked_at", "legal_deadline"):
        assert getattr(loaded, field) == getattr(case, field), field
    assert loaded.clock.paused and loaded.residents_affected == 3


def test_stages_are_taken_once_and_counters_change_with_the_case(moto_deps, clock):
    moto_deps.cases.add(yard_case(clock(), "c_1"))
    clock.advance(hours=5)
    assert deadlines.check_deadlines(moto_deps)["reminded"] == 1
    assert deadlines.check_deadlines(moto_deps)["reminded"] == 0
    clock.advance(hours=6)
    assert deadlines.check_deadlines(moto_deps) == {"reminded": 0, "overdue": 1, "escalated": 1, "conflicts": 0}
    assert moto_deps.cases.due_before(clock() + timedelta(days=365)) == []  # nothing left to do for it
    kinds = sorted(d.event_type for d in moto_deps.deliveries.of_case("c_1"))
    assert kinds == ["case.deadline_reminder", "case.escalated", "case.overdue"]
    counts = moto_deps.cases.overdue_counts(["adm_tsentralny", "adm_nevsky"])
    assert (counts["adm_tsentralny"].overdue_open, counts["adm_tsentralny"].overdue_total) == (1, 1)
    assert counts["adm_nevsky"].overdue_open == 0
    case = moto_deps.cases.get("c_1")
    case.transition(Status.ANSWERED, clock(), actor="executor:adm_tsentralny")
    moto_deps.cases.save(case)
    counts = moto_deps.cases.overdue_counts(["adm_tsentralny"])
    assert (counts["adm_tsentralny"].overdue_open, counts["adm_tsentralny"].overdue_total) == (0, 1)


def test_open_cases_are_found_by_category_and_cell_and_followed(moto_deps, clock):
    moto_deps.cases.add(yard_case(clock(), "c_main"))
    moto_deps.cases.add(yard_case(clock(), "c_far", lat=59.95))
    new = Case(id="c_new", token_hash="h", text="Яма во дворе", created_at=clock(), lat=59.9391, lon=30.3160)
    new.classify(Classification("landscaping", "landscaping.yard", 0.9, "test"), clock())
    new.await_step("assign", clock())
    moto_deps.cases.add(new)
    assert routing.assign_step(moto_deps, new, clock()) is None
    moto_deps.cases.save(new)
    assert moto_deps.cases.get("c_new").duplicate_of == "c_main"
    assert moto_deps.cases.get("c_main").linked_cases == ("c_new",)
    closed = moto_deps.cases.get("c_main")
    closed.decline(clock(), "executor:adm_tsentralny", "не наше")
    moto_deps.cases.save(closed)
    assert moto_deps.cases.followable_near(keys_around(new)) == []  # out of the index once not open
