"""Deadlines, overdue counters and duplicates on moto, through the indexes infra/ defines."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import boto3

from chalicelib.domain.case import Assignment, Case, Classification
from chalicelib.domain.duplicates import keys_around
from chalicelib.domain.statuses import Status
from chalicelib.services import deadlines, routing
from tests.integration.conftest import build_moto_deps
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
    assert deadlines.check_deadlines(moto_deps) == {"reminded": 0, "overdue": 1, "escalated": 1, "conflicts": 0,
                                                    "failed": 0}
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


class OneRequestAtATime:
    """DynamoDB answers each request atomically; moto in-process does not lock its tables, so concurrent
    requests take turns here (the checks themselves still interleave freely between requests)."""

    def __init__(self, client) -> None:
        self._client, self._lock = client, threading.Lock()

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def call(*args, **kwargs):
            with self._lock:
                return method(*args, **kwargs)
        return call


def overlapping_checks(deps):
    """Two checks at once; both read the due cases before either takes a stage."""
    both_read = threading.Barrier(2, timeout=30)
    read = deps.cases.due_before

    def due_then_wait(when, limit=100):
        found = read(when, limit)
        both_read.wait()
        return found

    deps.cases.due_before = due_then_wait
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda _: deadlines.check_deadlines(deps), range(2)))
    finally:
        del deps.cases.due_before


def test_two_overlapping_checks_send_each_reminder_overdue_and_escalation_once(moto_deps, stack, clock):
    deps = build_moto_deps(stack, clock, OneRequestAtATime(boto3.client("dynamodb")))
    cases = [f"c_{n}" for n in range(3)]
    for case_id in cases:
        deps.cases.add(yard_case(clock(), case_id))  # due in 10 hours
    taken = []
    for hours in (5, 3, 3):  # 50%, 80%, the deadline
        clock.advance(hours=hours)
        runs = overlapping_checks(deps)
        taken.append({k: sum(r[k] for r in runs) for k in ("reminded", "overdue", "escalated", "conflicts")})
    assert taken == [{"reminded": 3, "overdue": 0, "escalated": 0, "conflicts": 3},
                     {"reminded": 3, "overdue": 0, "escalated": 0, "conflicts": 3},
                     {"reminded": 0, "overdue": 3, "escalated": 3, "conflicts": 3}]
    for case_id in cases:
        sent = sorted(d.id.split(".", 1)[1] for d in deps.deliveries.of_case(case_id))
        assert sent == ["escalated", "overdue", "remind-50", "remind-80"], case_id
        kinds = [e.kind for e in deps.cases.events(case_id)]
        assert (kinds.count("deadline_reminder"), kinds.count("overdue"), kinds.count("escalated")) == (2, 1, 1)
    counts = deps.cases.overdue_counts(["adm_tsentralny"])["adm_tsentralny"]
    assert (counts.overdue_open, counts.overdue_total) == (3, 3)
    assert overlapping_checks(deps) == [{"reminded": 0, "overdue": 0, "escalated": 0, "conflicts": 0, "failed": 0}] * 2
