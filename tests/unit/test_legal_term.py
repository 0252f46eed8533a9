"""The legal 30 days (59-ФЗ, art. 12) run from the appeal's receipt, not from its assignment: a late
assignment or a reassignment never gets past them; only the resident's clarification time extends them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib import reference
from chalicelib.api.schemas import ClarificationIn, ReopenIn, ResidentClarificationIn
from chalicelib.domain.case import Case, Classification
from chalicelib.domain.deadlines import DeadlineRule, legal_term_end
from chalicelib.domain.ids import token_hash
from chalicelib.services import deadlines, executor_api, resident, routing

MSK = ZoneInfo("Europe/Moscow")
# A category with a long term of its own, so that the legal cap is what decides.
LONG = next(c for c in reference.rubricator() if c.deadline.days and c.deadline.days >= 15
            and not c.deadline.working_days and c.executor_type == "district_administration")


def received(deps, case_id="c_1"):
    now = deps.clock()
    case = Case(id=case_id, token_hash=token_hash("tok"), text="Во дворе разбит асфальт", created_at=now,
                municipality="nevsky")
    case.classify(Classification(LONG.sector, LONG.id, 0.9, "test"), now)
    deps.cases.add(case)
    return case


def assign(deps, case_id="c_1"):
    case = deps.cases.get(case_id)
    assert routing.assign_step(deps, case, deps.clock()) == "notify"
    deps.cases.save(case)
    return deps.cases.get(case_id)


def test_a_deadline_rule_is_cut_to_the_cap_it_is_given():
    start = datetime(2026, 11, 2, 9, 0, tzinfo=MSK)
    cap = start + timedelta(days=3)
    assert DeadlineRule(days=10).due(start, MSK, cap=cap) == cap
    assert DeadlineRule(hours=6).due(start, MSK, cap=cap) == start + timedelta(hours=6)
    assert legal_term_end(start, timedelta(days=2)) == start + timedelta(days=32)


def test_a_case_assigned_20_days_after_receipt_is_due_by_day_30_not_day_35(fake_deps, clock):
    case = received(fake_deps)
    clock.advance(days=20)
    assigned = assign(fake_deps)
    assert LONG.deadline.days >= 15 and assigned.assignment.deadline_at == case.created_at + timedelta(days=30)


def test_a_reassignment_on_day_25_keeps_the_cap_and_one_on_day_45_is_overdue_at_once(fake_deps, clock):
    case = received(fake_deps)
    assign(fake_deps)
    clock.advance(days=25)
    moved = routing.reassign(fake_deps, case.id, "adm_kirovsky", "Адрес в Кировском районе", "operator:anna")
    assert moved.assignment.deadline_at == case.created_at + timedelta(days=30)  # not day 25 + the full term
    clock.advance(days=20)
    again = routing.reassign(fake_deps, case.id, "adm_nevsky", "Вернули в Невский", "operator:anna")
    assert again.assignment.deadline_at == case.created_at + timedelta(days=30)  # in the past already
    assert deadlines.check_deadlines(fake_deps)["overdue"] == 1


def test_the_residents_clarification_time_extends_the_legal_term(fake_deps, clock):
    case = received(fake_deps)
    assign(fake_deps)
    clock.advance(days=2)
    executor_api.request_clarification(fake_deps, "adm_nevsky", case.id, ClarificationIn(question="Какой подъезд?"))
    clock.advance(days=2, hours=12)
    resident.clarify(fake_deps, case.id, "tok", ResidentClarificationIn(text="Второй подъезд"))
    paused = timedelta(days=2, hours=12)
    clarified = fake_deps.cases.get(case.id)
    assert clarified.resident_time == paused
    assert clarified.legal_deadline == case.created_at + timedelta(days=30) + paused
    clock.advance(days=20)  # day 24.5
    moved = routing.reassign(fake_deps, case.id, "adm_kirovsky", "Адрес в Кировском районе", "operator:anna")
    assert moved.assignment.deadline_at == case.created_at + timedelta(days=30) + paused


def test_a_reopened_case_is_a_repeated_appeal_with_30_days_of_its_own(fake_deps, clock):
    case = received(fake_deps)
    assign(fake_deps)
    clock.advance(days=40)
    stored = fake_deps.cases.get(case.id)
    stored.status, stored.published_at = stored.status.PUBLISHED, clock()
    fake_deps.cases.save(stored)
    reopened = resident.reopen(fake_deps, case.id, "tok", ReopenIn(reason="Ничего не сделано"))
    assert reopened.legal_deadline == clock() + timedelta(days=30)
    assert clock() < reopened.assignment.deadline_at <= reopened.legal_deadline


def test_the_legal_term_survives_the_store(fake_deps, clock):
    case = received(fake_deps)
    case.resident_time, case.legal_start = timedelta(hours=5), datetime(2026, 11, 20, tzinfo=UTC)
    fake_deps.cases.save(case)
    stored = fake_deps.cases.get(case.id)
    assert (stored.resident_time, stored.legal_start) == (timedelta(hours=5), datetime(2026, 11, 20, tzinfo=UTC))
