"""The deadline check on fakes: reminders, overdue, escalation, counters, the pause; each action once."""

import json
from datetime import timedelta

import pytest

from chalicelib.domain.case import Assignment, Case, Classification
from chalicelib.domain.statuses import Status
from chalicelib.services import deadlines
from tests.unit.test_pipeline import drain

EXECUTOR, SUPERVISOR = "adm_nevsky", "governor_office"
NOTHING = {"reminded": 0, "overdue": 0, "escalated": 0, "conflicts": 0, "failed": 0}


def assigned(deps, case_id="c_1", hours=10, executor=EXECUTOR):
    now = deps.clock()
    case = Case(id=case_id, token_hash="h", text="Во дворе яма", created_at=now, correlation_id="corr")
    case.classify(Classification("landscaping", "landscaping.yard", 0.9, "test"), now)
    case.assign(Assignment(executor, now + timedelta(hours=hours), "test"), now)
    deps.cases.add(case)
    return case


def sent(deps, case_id="c_1"):
    """The notices recorded for delivery: (event type, recipient, stage)."""
    return sorted((d.event_type, d.executor_id, json.loads(d.body)["data"]["stage"])
                  for d in deps.deliveries.of_case(case_id) if d.event_type != "case.assigned")


def test_reminders_at_half_and_four_fifths_then_overdue_and_escalation_each_once(fake_deps, clock):
    assigned(fake_deps)
    clock.advance(hours=4, minutes=59)
    assert deadlines.check_deadlines(fake_deps) == NOTHING
    clock.advance(minutes=1)
    assert deadlines.check_deadlines(fake_deps)["reminded"] == 1
    assert deadlines.check_deadlines(fake_deps) == NOTHING
    clock.advance(hours=3)
    assert deadlines.check_deadlines(fake_deps)["reminded"] == 1
    clock.advance(hours=2)
    assert deadlines.check_deadlines(fake_deps) == {**NOTHING, "overdue": 1, "escalated": 1}
    for _ in range(5):
        clock.advance(hours=1)
        assert deadlines.check_deadlines(fake_deps) == NOTHING
    assert sent(fake_deps) == [("case.deadline_reminder", EXECUTOR, "remind-50"),
                               ("case.deadline_reminder", EXECUTOR, "remind-80"),
                               ("case.escalated", SUPERVISOR, "escalated"), ("case.overdue", EXECUTOR, "overdue")]
    case = fake_deps.cases.get("c_1")
    assert case.overdue
    kinds = [e.kind for e in fake_deps.cases.events("c_1")]
    assert (kinds.count("deadline_reminder"), kinds.count("overdue"), kinds.count("escalated")) == (2, 1, 1)


def test_the_notices_arrive_signed_at_the_executor_and_the_supervisor(fake_deps, clock):
    assigned(fake_deps)
    clock.advance(hours=11)
    deadlines.check_deadlines(fake_deps)
    drain(fake_deps)
    received = {url.rsplit("/", 1)[-1]: json.loads(body) for url, _, body in fake_deps.webhooks.requests}
    assert received[EXECUTOR]["type"] == "case.overdue"
    assert received[SUPERVISOR]["type"] == "case.escalated"
    assert received[SUPERVISOR]["data"]["executor_id"] == EXECUTOR
    assert received[SUPERVISOR]["data"]["executor_overdue_cases"] == 1


def test_overlapping_runs_take_each_stage_once(fake_deps, clock):
    assigned(fake_deps)
    clock.advance(hours=6)
    read_due = fake_deps.cases.due_before
    overlapped = []

    def due_then_the_other_run_finishes(when, limit=100):
        found = read_due(when, limit)
        if not overlapped:
            overlapped.append("running")
            overlapped[0] = deadlines.check_deadlines(fake_deps)  # starts later, ends first
        return found

    fake_deps.cases.due_before = due_then_the_other_run_finishes
    first = deadlines.check_deadlines(fake_deps)
    assert overlapped == [{**NOTHING, "reminded": 1}]
    assert first == {**NOTHING, "conflicts": 1}
    assert sent(fake_deps) == [("case.deadline_reminder", EXECUTOR, "remind-50")]
    assert [e.kind for e in fake_deps.cases.events("c_1")].count("deadline_reminder") == 1


def test_a_check_that_missed_stages_sends_only_what_is_still_true(fake_deps, clock):
    assigned(fake_deps)
    clock.advance(hours=12)  # the schedule did not run for a while: both reminders are stale
    assert deadlines.check_deadlines(fake_deps)["overdue"] == 1
    assert [kind for kind, _, _ in sent(fake_deps)] == ["case.escalated", "case.overdue"]


def test_overdue_counters_per_executor_stay_current(fake_deps, clock):
    assigned(fake_deps, "c_1")
    assigned(fake_deps, "c_2", hours=20)
    assigned(fake_deps, "c_3", executor="adm_kirovsky")
    clock.advance(hours=21)
    deadlines.check_deadlines(fake_deps)
    counts = fake_deps.cases.overdue_counts([EXECUTOR, "adm_kirovsky"])
    assert (counts[EXECUTOR].overdue_open, counts[EXECUTOR].overdue_total) == (2, 2)
    answered = fake_deps.cases.get("c_1")
    answered.transition(Status.ANSWERED, clock(), actor=f"executor:{EXECUTOR}")
    fake_deps.cases.save(answered)
    counts = fake_deps.cases.overdue_counts([EXECUTOR])
    assert (counts[EXECUTOR].overdue_open, counts[EXECUTOR].overdue_total) == (1, 2)
    report = deadlines.overdue_report(fake_deps)
    assert [(c.executor_id, c.overdue_open) for c in report[:2]] == [(EXECUTOR, 1), ("adm_kirovsky", 1)]


def test_the_clock_stands_still_while_the_resident_is_asked(fake_deps, clock):
    case = assigned(fake_deps)
    clock.advance(hours=3)
    case = fake_deps.cases.get("c_1")
    case.ask_resident("Уточните номер дома", clock(), actor=f"executor:{EXECUTOR}")  # pauses the clock
    fake_deps.cases.save(case)
    clock.advance(hours=20)  # long past the original deadline
    assert fake_deps.cases.due_before(clock()) == []
    assert deadlines.check_deadlines(fake_deps) == NOTHING
    case = fake_deps.cases.get("c_1")
    case.resident_clarified("Дом 12", clock())  # resumes it
    fake_deps.cases.save(case)
    resumed = fake_deps.cases.get("c_1")
    assert resumed.assignment.deadline_at == case.created_at + timedelta(hours=30)
    clock.advance(hours=1, minutes=59)  # 4h59m of clock time: not yet half
    assert deadlines.check_deadlines(fake_deps) == NOTHING
    clock.advance(minutes=1)
    assert deadlines.check_deadlines(fake_deps)["reminded"] == 1
    public = [e.kind for e in fake_deps.cases.events("c_1") if e.public]
    assert "deadline_paused" in public and "deadline_resumed" in public


@pytest.mark.parametrize("repeat", [1, 2])
def test_pausing_or_resuming_twice_changes_nothing_more(fake_deps, clock, repeat):
    case = assigned(fake_deps)
    for _ in range(repeat):
        case.pause_deadline(clock())
    clock.advance(hours=2)
    for _ in range(repeat):
        case.resume_deadline(clock())
    assert case.assignment.deadline_at == case.created_at + timedelta(hours=12)


def test_a_backlog_larger_than_a_batch_is_worked_off_in_one_run(fake_deps, clock):
    for n in range(25):
        assigned(fake_deps, f"c_{n}")
    clock.advance(hours=11)
    assert deadlines.check_deadlines(fake_deps, batch=10) == {**NOTHING, "overdue": 25, "escalated": 25}
    assert all(fake_deps.cases.get(f"c_{n}").overdue for n in range(25))


def test_a_case_that_breaks_the_check_does_not_hold_up_the_others(fake_deps, clock, monkeypatch):
    for n in range(3):
        assigned(fake_deps, f"c_{n}")
    clock.advance(hours=11)
    send = deadlines.deliveries.send_webhook

    def broken_for_c_0(deps, case, *args, **kwargs):
        if case.id == "c_0":
            raise RuntimeError("the executor's record is broken")
        return send(deps, case, *args, **kwargs)

    monkeypatch.setattr(deadlines.deliveries, "send_webhook", broken_for_c_0)
    assert deadlines.check_deadlines(fake_deps, batch=2) == {**NOTHING, "overdue": 2, "escalated": 2, "failed": 1}
    assert [fake_deps.cases.get(f"c_{n}").overdue for n in range(3)] == [False, True, True]
    monkeypatch.setattr(deadlines.deliveries, "send_webhook", send)
    assert deadlines.check_deadlines(fake_deps) == {**NOTHING, "overdue": 1, "escalated": 1}  # retried next run
