"""Letters and callbacks that follow a saved change are kept with the save until they are out: a crash or a
refused send between the two loses none of them, and the sweeper sends each exactly once."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from chalicelib.adapters.memory import InMemoryQueue
from chalicelib.adapters.ports import OutgoingMessage
from chalicelib.api.schemas import AnswerIn, AppealIn, StepMessage
from chalicelib.batch import process_batch
from chalicelib.domain.owed_effects import MAX_SWEEPS
from chalicelib.services import consistency, effects, executor_api, intake, steps, sweeper
from chalicelib.services.pipeline import run_step
from tests.unit.test_executor_api import FORMAL, webhooks_of
from tests.unit.test_pipeline import drain

EMAIL = "resident@example.org"
APPEAL = AppealIn(text="Во дворе дома 12 не вывозят мусор, контейнеры переполнены", municipality="nevsky",
                  contact={"email": EMAIL}, consent=True)


class MailQueueDown(InMemoryQueue):
    """The mail queue refuses every message while `down`; the other queues work."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True

    def send_now(self, outgoing: OutgoingMessage) -> None:
        if self.down and outgoing.step == "mail":
            raise ConnectionError("mail queue unreachable")
        super().send_now(outgoing)


@pytest.fixture
def mail_down(fake_deps):
    fake_deps.queue = MailQueueDown()
    fake_deps.settings = replace(fake_deps.settings, answer_review="auto")
    return fake_deps.queue


def letters(deps) -> list[str]:
    return [subject for to, subject, _ in deps.mailer.sent if to == EMAIL]


def sweep_later(deps, clock, minutes: float = 16) -> dict[str, int]:
    clock.advance(minutes=minutes)
    swept = sweeper.sweep_pending(deps)
    drain(deps)
    return swept


def test_an_ordinary_change_leaves_nothing_owed(fake_deps):
    intake.submit_appeal(fake_deps, APPEAL)
    drain(fake_deps)
    assert len(letters(fake_deps)) == 2  # received, assigned
    assert fake_deps.cases.owed == {}


def test_letters_the_mail_queue_refused_are_sent_by_the_sweeper_once(fake_deps, clock, mail_down):
    accepted = intake.submit_appeal(fake_deps, APPEAL)  # the appeal is taken all the same
    drain(fake_deps)
    assert fake_deps.cases.get(accepted.id).status.value == "assigned"
    assert letters(fake_deps) == [] and len(fake_deps.cases.owed) == 2
    mail_down.down = False
    assert sweep_later(fake_deps, clock, minutes=5)["effects"] == 0  # still within the queues' own retries
    assert sweep_later(fake_deps, clock)["effects"] == 2
    assert len(letters(fake_deps)) == 2 and fake_deps.cases.owed == {}
    assert sweep_later(fake_deps, clock)["effects"] == 0
    assert len(letters(fake_deps)) == 2


def test_a_crash_between_the_save_and_the_sends_loses_no_callback(fake_deps, clock, monkeypatch):
    fake_deps.settings = replace(fake_deps.settings, answer_review="auto")
    accepted = intake.submit_appeal(fake_deps, APPEAL)
    drain(fake_deps)
    with monkeypatch.context() as crash:
        crash.setattr(effects, "deliver", lambda deps, case, owed: None)  # the process died after the save
        executor_api.post_answer(fake_deps, "adm_nevsky", accepted.id, AnswerIn(kind="final", text=FORMAL))
        drain(fake_deps)
    assert fake_deps.cases.get(accepted.id).status.value == "returned"
    assert webhooks_of(fake_deps, "case.answer_returned") == []
    assert sweep_later(fake_deps, clock)["effects"] == 1
    (returned,) = webhooks_of(fake_deps, "case.answer_returned")
    assert returned["verdict"] == "formal"
    sweep_later(fake_deps, clock)
    assert len(webhooks_of(fake_deps, "case.answer_returned")) == 1


class Record:
    def __init__(self, message_id: str, body: dict[str, Any]) -> None:
        self.message_id, self.body = message_id, json.dumps(body)

    def to_dict(self) -> dict[str, Any]:
        return {"messageId": self.message_id, "body": self.body, "attributes": {"ApproximateReceiveCount": "1"}}


def up_to_assign(deps) -> None:
    """An appeal screened and classified, its `assign` message queued."""
    intake.submit_appeal(deps, APPEAL)
    for step, action in (("intake", steps.screen), ("classify", steps.classify)):
        (message,) = deps.queue.take(step)
        run_step(deps, StepMessage.model_validate(message), step, action)


def assign_in_a_batch(deps) -> dict[str, Any]:
    (message,) = deps.queue.take("assign")
    return process_batch([Record("m1", message)], StepMessage,
                         lambda m: run_step(deps, m, "assign", steps.assign), queue=deps.queue)


def test_in_a_batch_the_effects_are_cleared_only_once_the_batch_sent_them(fake_deps, clock, mail_down):
    up_to_assign(fake_deps)
    fake_deps.cases.owed.clear()  # the letter of receipt is not what this test is about
    report = assign_in_a_batch(fake_deps)
    assert report == {"batchItemFailures": [{"itemIdentifier": "m1"}]}  # its letter did not go out
    assert [o.events[0].to_status.value for o in fake_deps.cases.owed.values()] == ["assigned"]
    mail_down.down = False
    sweep_later(fake_deps, clock)
    assert len(letters(fake_deps)) == 1 and fake_deps.cases.owed == {}


def test_a_batch_that_sent_everything_clears_what_its_records_owed(fake_deps):
    up_to_assign(fake_deps)
    assert assign_in_a_batch(fake_deps) == {"batchItemFailures": []}
    assert fake_deps.cases.owed == {}


def test_effects_that_never_go_out_are_given_up_and_reported(fake_deps, clock, mail_down, capsys):
    intake.submit_appeal(fake_deps, APPEAL)
    drain(fake_deps)  # two letters owed: received, assigned
    for _ in range(MAX_SWEEPS):
        assert sweep_later(fake_deps, clock)["effects"] == 0
    alerts = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"alert"' in line]
    assert [a.get("alert") for a in alerts] == ["effects_given_up"] * 2
    assert sweep_later(fake_deps, clock)["effects"] == 0  # given up: the sweep reads them no more
    assert "effects" not in capsys.readouterr().out
    report = consistency.check(fake_deps)
    assert not report.ok and report.stuck_effects == 2
    assert [(e["effects"], e["gave_up"]) for e in report.examples if "effects" in e] == [(["received"], True),
                                                                                         (["status"], True)]
