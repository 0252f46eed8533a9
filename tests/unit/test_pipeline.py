"""The pipeline's services on in-memory fakes: what a resident and an executor would notice."""

import json

import pytest

from chalicelib.adapters.ports import ConcurrentUpdate
from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import AppealIn, NotifyMessage, StepMessage
from chalicelib.domain.case import MAX_STEP_RESENDS
from chalicelib.domain.statuses import Status
from chalicelib.services import consistency, intake, mail, notify, steps, sweeper, tracking
from chalicelib.services.pipeline import run_step
from chalicelib.webhooks import verify

ACTIONS = {"intake": steps.screen, "classify": steps.classify, "assign": steps.assign}
GARBAGE = AppealIn(text="Во дворе дома 5 по Невскому проспекту не вывозят мусор, контейнеры переполнены",
                   municipality="nevsky")


def drain(deps, limit=40):
    """Deliver every queued message to its consumer, like the SQS event sources do."""
    for _ in range(limit):
        if not deps.queue.sent:
            return
        handle(deps, *deps.queue.sent.pop(0))


def handle(deps, step, message):
    """What the queue's consumer does with one message."""
    if step == "mail":
        mail.consume(deps, mail.MailMessage.model_validate(message))
    elif step == "notify":
        notify.consume(deps, NotifyMessage.model_validate(message))
    else:
        run_step(deps, StepMessage.model_validate(message), step, ACTIONS[step])


def test_an_appeal_is_classified_assigned_with_a_deadline_and_delivered_signed(fake_deps):
    accepted = intake.submit_appeal(fake_deps, GARBAGE)
    drain(fake_deps)
    view = tracking.public_case(fake_deps, accepted.id, accepted.token)
    assert view is not None
    assert (view["status"], view["category"], view["executor"]["id"]) == ("assigned", "waste.collection", "adm_nevsky")
    assert view["deadline"].endswith("+03:00")
    assert [e["kind"] for e in view["timeline"]] == ["received", "screened", "classified", "status", "delivered"]
    (url, headers, body), = fake_deps.webhooks.requests
    assert url.endswith("/hooks/adm_nevsky")
    secret = fake_deps.directory.endpoint("adm_nevsky").secrets[0]
    verify(secret, headers, body)
    assert json.loads(body)["data"]["case_id"] == accepted.id


def test_the_tracking_view_needs_the_token_and_never_shows_contact_data(fake_deps):
    appeal = AppealIn.model_validate({**GARBAGE.model_dump(exclude_none=True),
                                      "contact": {"name": "Иван", "email": "ivan@example.org"}, "consent": True})
    accepted = intake.submit_appeal(fake_deps, appeal)
    assert tracking.public_case(fake_deps, accepted.id, "wrong") is None
    assert tracking.public_case(fake_deps, accepted.id, None) is None
    view = tracking.public_case(fake_deps, accepted.id, accepted.token)
    assert "ivan@example.org" not in json.dumps(view, ensure_ascii=False)


def test_a_redelivered_message_changes_nothing_twice_and_sends_no_second_webhook(fake_deps):
    accepted = intake.submit_appeal(fake_deps, GARBAGE)
    seen = []
    for _ in range(10):
        if not fake_deps.queue.sent:
            break
        step, message = fake_deps.queue.sent.pop(0)
        seen.append((step, message))
        handle(fake_deps, step, message)
    events_before = len(fake_deps.cases.events(accepted.id))
    for step, message in seen:  # SQS delivers at least once: every message again
        handle(fake_deps, step, message)
    assert len(fake_deps.webhooks.requests) == 1
    assert len(fake_deps.cases.events(accepted.id)) == events_before
    assert fake_deps.queue.sent == []


def test_the_same_idempotency_key_returns_the_first_case(fake_deps):
    first = intake.submit_appeal(fake_deps, GARBAGE, idempotency_key="k-1")
    again = intake.submit_appeal(fake_deps, GARBAGE, idempotency_key="k-1")
    assert again == first
    assert len(fake_deps.queue.take("intake")) == 1


def test_a_reused_idempotency_key_with_another_text_is_refused(fake_deps):
    intake.submit_appeal(fake_deps, GARBAGE, idempotency_key="k-1")
    with pytest.raises(ApiError) as error:
        intake.submit_appeal(fake_deps, AppealIn(text="Нет отопления в доме 3 по улице Ленина"), "k-1")
    assert error.value.status == 422


def test_spam_and_low_confidence_go_to_moderation_with_the_reason(fake_deps):
    spam = intake.submit_appeal(fake_deps, AppealIn(text="тест"))
    vague = intake.submit_appeal(fake_deps, AppealIn(text="Прошу разобраться с ситуацией около дома номер семь"))
    drain(fake_deps)
    for accepted, reason in ((spam, "Тестовое сообщение"), (vague, "Не удалось определить тему обращения")):
        case = fake_deps.cases.get(accepted.id)
        assert case.status is Status.MODERATION
        assert case.pending_step is None
        assert fake_deps.cases.events(accepted.id)[-1].reason == reason
    assert fake_deps.webhooks.requests == []


def test_a_failed_delivery_is_recorded_and_retried_with_the_same_webhook_id(fake_deps):
    fake_deps.webhooks.status = 503
    accepted = intake.submit_appeal(fake_deps, GARBAGE)
    drain(fake_deps, limit=5)  # intake, classify, assign, notify step, first attempt
    assert fake_deps.cases.get(accepted.id).pending_step is None  # the case does not wait for the executor
    attempts = [e for e in fake_deps.cases.events(accepted.id) if e.kind == "delivery_attempt"]
    assert [a.data["status"] for a in attempts] == [503]
    fake_deps.webhooks.status = 204
    drain(fake_deps)  # the retry, queued with a delay
    assert [e["kind"] for e in tracking.public_case(fake_deps, accepted.id, accepted.token)["timeline"]][-1] == (
        "delivered")
    ids = {headers["webhook-id"] for _, headers, _ in fake_deps.webhooks.requests}
    assert len(fake_deps.webhooks.requests) == 2 and len(ids) == 1  # the retry carried the same webhook-id


def test_two_concurrent_updates_one_wins_the_other_fails_cleanly(fake_deps):
    accepted = intake.submit_appeal(fake_deps, GARBAGE)
    first, second = fake_deps.cases.get(accepted.id), fake_deps.cases.get(accepted.id)
    first.send_to_moderation(fake_deps.clock(), "оператор")
    fake_deps.cases.save(first)
    second.await_step("classify", fake_deps.clock())
    with pytest.raises(ConcurrentUpdate):
        fake_deps.cases.save(second)
    assert fake_deps.cases.get(accepted.id).status is Status.MODERATION


def test_a_worker_that_loses_a_race_re_runs_on_the_fresh_case(fake_deps):
    accepted = intake.submit_appeal(fake_deps, GARBAGE)
    real_get = fake_deps.cases.get
    raced = []

    def get_then_someone_else_saves(case_id):
        case = real_get(case_id)
        if not raced:
            raced.append(True)
            meddler = real_get(case_id)
            meddler.note(fake_deps.clock(), "note", "оператор посмотрел")
            fake_deps.cases.save(meddler)
        return case

    fake_deps.cases.get = get_then_someone_else_saves
    step, message = fake_deps.queue.sent.pop(0)
    run_step(fake_deps, StepMessage.model_validate(message), step, ACTIONS[step])
    kinds = [e.kind for e in fake_deps.cases.events(accepted.id)]
    assert kinds.count("note") == 1
    assert fake_deps.queue.sent[0][0] == "classify"


def test_the_sweeper_re_sends_a_case_written_but_never_enqueued(fake_deps, clock):
    accepted = intake.submit_appeal(fake_deps, GARBAGE)
    fake_deps.queue.sent.clear()  # the send after the write was lost
    assert sweeper.sweep_pending(fake_deps)["intake"] == 0  # not stale yet
    clock.advance(minutes=20)
    assert sweeper.sweep_pending(fake_deps)["intake"] == 1
    drain(fake_deps)
    assert fake_deps.cases.get(accepted.id).status is Status.ASSIGNED


def test_the_sweeper_gives_up_after_a_few_tries(fake_deps, clock):
    intake.submit_appeal(fake_deps, GARBAGE)
    resent = 0
    for _ in range(6):
        fake_deps.queue.sent.clear()
        clock.advance(minutes=20)
        resent += sweeper.sweep_pending(fake_deps)["intake"]
    assert resent == MAX_STEP_RESENDS


def test_cases_given_up_on_never_block_the_sweep_of_newer_ones(fake_deps, clock):
    for _ in range(3):
        intake.submit_appeal(fake_deps, GARBAGE)
    resent = None
    while resent != 0:  # these three are re-sent as often as the sweeper will, two at a time
        fake_deps.queue.sent.clear()
        clock.advance(minutes=20)
        resent = sweeper.sweep_pending(fake_deps, limit=2)["intake"]
    newer = intake.submit_appeal(fake_deps, GARBAGE)
    fake_deps.queue.sent.clear()
    clock.advance(minutes=20)
    assert sweeper.sweep_pending(fake_deps, limit=2)["intake"] == 1  # the reads go past the three
    assert [m["case_id"] for _, m in fake_deps.queue.sent] == [newer.id]
    clock.advance(minutes=30)
    sweeper.sweep_pending(fake_deps, limit=2)  # the newer one is still being looked after
    assert consistency.check(fake_deps).stuck_steps["intake"] == 3
