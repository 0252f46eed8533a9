"""What a consumer's batch sends on goes out together at its end: SendMessageBatch per queue, the refused
entries one at a time, and a record whose message still could not be sent returns to the queue, where its
redelivery sends it again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.adapters.ports import OutgoingMessage
from chalicelib.adapters.sqs import SqsQueue
from chalicelib.api.schemas import AppealIn, StepMessage
from chalicelib.batch import process_batch
from chalicelib.services import intake, steps
from chalicelib.services.pipeline import run_step

URLS = {step: f"https://sqs.test/tsur-test-{step}" for step in ("intake", "classify", "assign", "notify", "mail")}
APPEAL = AppealIn(text="Во дворе дома 5 не вывозят мусор, контейнеры переполнены", municipality="nevsky")


class Record:
    def __init__(self, message_id: str, body: Any, receive_count: int = 1) -> None:
        self.message_id, self.receive_count = message_id, receive_count
        self.body = body if isinstance(body, str) else json.dumps(body)

    def to_dict(self) -> dict[str, Any]:
        return {"messageId": self.message_id, "body": self.body,
                "attributes": {"ApproximateReceiveCount": str(self.receive_count)}}


class FakeSqs:
    """Answers like SQS; `refuse` names bodies SendMessageBatch reports Failed, `down` bodies no call takes."""

    def __init__(self, refuse: set[str] = frozenset(), down: set[str] = frozenset(), batch_down: bool = False
                 ) -> None:
        self.refuse, self.down, self.batch_down = refuse, down, batch_down
        self.calls: list[tuple[str, str, list[str]]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(("SendMessageBatch", QueueUrl, [e["MessageBody"] for e in Entries]))
        if self.batch_down:
            raise ConnectionError("endpoint unreachable")
        failed = [{"Id": e["Id"], "Code": "InternalError", "SenderFault": False} for e in Entries
                  if _step_case(e["MessageBody"]) in self.refuse | self.down]
        return {"Successful": [], "Failed": failed}

    def send_message(self, QueueUrl: str, MessageBody: str, **extra: Any) -> dict[str, Any]:
        self.calls.append(("SendMessage", QueueUrl, [MessageBody]))
        if _step_case(MessageBody) in self.down:
            raise ConnectionError("endpoint unreachable")
        return {"MessageId": "m"}

    def operations(self) -> list[str]:
        return [name for name, _, _ in self.calls]


def _step_case(body: str) -> str:
    return str(json.loads(body).get("case_id"))


def outgoing(step: str, case_id: str, delay: int = 0, origin: str = "") -> OutgoingMessage:
    return OutgoingMessage(step, {"case_id": case_id, "step": step}, delay, origin)


def test_messages_go_ten_to_a_request_per_queue():
    sqs = FakeSqs()
    queue = SqsQueue(URLS, sqs)
    messages = [outgoing("classify", f"c{n}") for n in range(12)] + [outgoing("mail", "m1", delay=30)]
    assert queue.send_batch(messages) == []
    assert [(name, url, len(bodies)) for name, url, bodies in sqs.calls] == [
        ("SendMessageBatch", URLS["classify"], 10), ("SendMessageBatch", URLS["classify"], 2),
        ("SendMessageBatch", URLS["mail"], 1)]
    assert [_step_case(b) for b in sqs.calls[0][2] + sqs.calls[1][2]] == [f"c{n}" for n in range(12)]


def test_refused_entries_are_sent_one_at_a_time_and_only_what_still_fails_is_returned():
    sqs = FakeSqs(refuse={"c1"}, down={"c2"})
    queue = SqsQueue(URLS, sqs)
    failed = queue.send_batch([outgoing("classify", f"c{n}", origin=f"r{n}") for n in range(4)])
    assert [m.origin for m in failed] == ["r2"]
    assert sqs.operations() == ["SendMessageBatch", "SendMessage", "SendMessage"]


def test_a_failed_batch_request_falls_back_to_single_sends():
    sqs = FakeSqs(batch_down=True)
    assert SqsQueue(URLS, sqs).send_batch([outgoing("assign", "c1"), outgoing("assign", "c2")]) == []
    assert sqs.operations() == ["SendMessageBatch", "SendMessage", "SendMessage"]


def test_the_batch_sends_at_its_end_and_reports_only_the_records_whose_message_was_not_sent(fake_deps):
    sqs = FakeSqs(down={"c_unlucky"})
    queue = SqsQueue(URLS, sqs)
    seen_during_the_batch: list[int] = []

    def handle(message: StepMessage) -> None:
        queue.send("classify", {"case_id": message.case_id, "step": "classify"})
        seen_during_the_batch.append(len(sqs.calls))
        if message.case_id == "c_broken":
            raise RuntimeError("the step failed after its send")

    records = [Record(f"r{n}", {"case_id": c, "step": "intake"})
               for n, c in enumerate(["c_a", "c_unlucky", "c_b", "c_broken", "c_c"])]
    reply = process_batch(records, StepMessage, handle, queue)
    assert seen_during_the_batch == [0] * 5  # nothing went out while the records were processed
    assert reply == {"batchItemFailures": [{"itemIdentifier": "r3"}, {"itemIdentifier": "r1"}]}
    assert sqs.operations() == ["SendMessageBatch", "SendMessage"]  # one request for five, one retry
    assert len(sqs.calls[0][2]) == 5  # the failed record's message went too: its write was done


def test_without_a_queue_nothing_is_held(fake_deps):
    sqs = FakeSqs()
    queue = SqsQueue(URLS, sqs)
    process_batch([Record("r1", {"case_id": "c1", "step": "intake"})], StepMessage,
                  lambda m: queue.send("classify", {"case_id": m.case_id}))
    assert sqs.operations() == ["SendMessage"]


def test_outside_a_batch_a_message_is_sent_at_once():
    sqs = FakeSqs()
    SqsQueue(URLS, sqs).send("intake", {"case_id": "c1"}, delay_seconds=5000)
    assert sqs.operations() == ["SendMessage"]


def _intake_record(case_id: str, receive_count: int) -> Record:
    return Record("r1", {"case_id": case_id, "correlation_id": "x", "step": "intake"}, receive_count)


def _run_intake(deps: Any, record: Record) -> dict[str, Any]:
    return process_batch([record], StepMessage, lambda m: run_step(deps, m, "intake", steps.screen), deps.queue)


@pytest.mark.parametrize(("receive_count", "sent_again"), [(2, True), (1, False)])
def test_a_redelivered_message_whose_step_is_done_sends_the_next_steps_message_again(
        fake_deps, receive_count, sent_again):
    accepted = intake.submit_appeal(fake_deps, APPEAL)
    fake_deps.queue.take("intake")
    assert _run_intake(fake_deps, _intake_record(accepted.id, 1)) == {"batchItemFailures": []}
    assert [m["case_id"] for m in fake_deps.queue.take("classify")] == [accepted.id]
    # the case now waits for classify; the intake message comes again (a duplicate, or a redelivery)
    _run_intake(fake_deps, _intake_record(accepted.id, receive_count))
    assert [m["case_id"] for m in fake_deps.queue.take("classify")] == ([accepted.id] if sent_again else [])
    kinds = [e.kind for e in fake_deps.cases.events(accepted.id)]
    assert kinds.count("screened") <= 1 and fake_deps.cases.get(accepted.id).pending_step == "classify"


def test_a_redelivered_message_of_a_step_long_past_sends_nothing(fake_deps):
    accepted = intake.submit_appeal(fake_deps, APPEAL)
    case = fake_deps.cases.get(accepted.id)
    case.await_step("notify", fake_deps.clock())  # two steps on
    fake_deps.cases.save(case)
    fake_deps.queue.sent.clear()
    _run_intake(fake_deps, _intake_record(accepted.id, 3))
    assert fake_deps.queue.sent == []
