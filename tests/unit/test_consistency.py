"""`tsur consistency`: finds cases and deliveries that nothing will move on, and only those."""

from __future__ import annotations

import json

from click.testing import CliRunner

from chalicelib.api.schemas import AppealIn
from chalicelib.services import consistency, deliveries, intake
from tsur.cli import main

APPEAL = AppealIn(text="Во дворе дома 5 не вывозят мусор, контейнеры переполнены", municipality="nevsky")


def run(fake_deps):
    result = CliRunner().invoke(main, ["consistency", "--json"], obj={"deps": fake_deps})
    return result.exit_code, json.loads(result.output)


def test_a_case_waiting_for_its_step_within_the_sweepers_reach_is_not_stuck(fake_deps, clock):
    intake.submit_appeal(fake_deps, APPEAL)
    clock.advance(minutes=10)
    assert run(fake_deps) == (0, consistency.check(fake_deps).summary())
    assert consistency.check(fake_deps).ok


def test_a_case_no_sweeper_moved_on_is_reported_and_the_command_fails(fake_deps, clock):
    accepted = intake.submit_appeal(fake_deps, APPEAL)
    clock.advance(minutes=25)
    code, summary = run(fake_deps)
    assert code == 1 and not summary["ok"]
    assert summary["stuck_steps"]["intake"] == 1
    assert summary["examples"][0]["case_id"] == accepted.id


def test_a_webhook_attempt_the_sweeper_missed_is_reported(fake_deps, clock):
    accepted = intake.submit_appeal(fake_deps, APPEAL)
    case = fake_deps.cases.get(accepted.id)
    case.pending_step = None  # only the delivery is looked at here
    fake_deps.cases.save(case)
    deliveries.send_webhook(fake_deps, case, "governor_office", "case.test", {"case_id": case.id}, key="t")
    assert consistency.check(fake_deps).ok
    clock.advance(days=2)
    report = consistency.check(fake_deps)
    assert not report.ok and report.stuck_deliveries == 1
