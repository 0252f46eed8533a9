"""Webhook deliveries on in-memory fakes: retries, Retry-After, parking, replay, 410, held deliveries."""

from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import pytest

from chalicelib.adapters.memory import RecordingWebhookSender
from chalicelib.adapters.ports import DeadLetter, HttpResult
from chalicelib.api.errors import ApiError
from chalicelib.domain.delivery import DeliveryStatus
from chalicelib.services import dead_letters, deliveries, endpoints, intake, mail, tracking
from chalicelib.webhooks import verify
from tests.unit.test_pipeline import GARBAGE, drain, handle


@pytest.fixture
def deps(fake_deps):
    fake_deps.rng = lambda: 0.5
    return fake_deps


def queued(deps, appeal=GARBAGE):
    """Run the pipeline until the executor's webhook is queued; (accepted appeal, webhook-id)."""
    accepted = intake.submit_appeal(deps, appeal)
    while not deps.queue.sent[0][1].get("webhook_id"):
        handle(deps, *deps.queue.sent.pop(0))
    return accepted, deps.queue.sent[0][1]["webhook_id"]


def attempt_next(deps):
    """Handle the next queued attempt (whatever its delay); its delay_seconds."""
    index = next(i for i, (_, m) in enumerate(deps.queue.sent) if m.get("webhook_id"))
    delay = deps.queue.delays[-len(deps.queue.sent) + index]
    handle(deps, *deps.queue.sent.pop(index))
    return delay


def attempts_logged(deps, case_id):
    return [e for e in deps.cases.events(case_id) if e.kind == "delivery_attempt"]


def delivery(deps, webhook):
    return deliveries.find(deps, webhook)


def test_a_failed_attempt_is_logged_on_the_case_and_retried_after_a_jittered_delay(deps):
    deps.webhooks.status = 500
    accepted, webhook = queued(deps)
    assert attempt_next(deps) == 0
    logged, = attempts_logged(deps, accepted.id)
    assert (logged.data["status"], logged.data["latency_ms"], logged.data["error"]) == (500, 1.0, "HTTP 500")
    assert logged.at == deps.clock() and logged.data["delivery_id"] == webhook
    assert delivery(deps, webhook).status is DeliveryStatus.RETRYING
    assert attempt_next(deps) == 3  # half of the first step (5 s), rounded up: never early
    deps.webhooks.status = 204
    assert attempt_next(deps) == 15  # half of 30 s
    assert delivery(deps, webhook).status is DeliveryStatus.DELIVERED
    assert [a.data["status"] for a in attempts_logged(deps, accepted.id)] == [500, 500, 204]
    assert {h["webhook-id"] for _, h, _ in deps.webhooks.requests} == {webhook}
    assert deps.queue.sent == []


def test_a_retry_after_beyond_sqs_delays_waits_for_the_sweeper(deps, clock):
    deps.webhooks.status, deps.webhooks.retry_after = 503, "7200"
    accepted, webhook = queued(deps)
    attempt_next(deps)
    assert deps.queue.sent == []  # two hours: too long for a delayed message
    clock.advance(minutes=119)
    assert deliveries.sweep_due(deps) == {"sent": 0, "parked": 0}
    clock.advance(minutes=1)
    deps.webhooks.status = 204
    assert deliveries.sweep_due(deps) == {"sent": 1, "parked": 0}
    attempt_next(deps)
    assert delivery(deps, webhook).status is DeliveryStatus.DELIVERED
    assert attempts_logged(deps, accepted.id)[-1].at == attempts_logged(deps, accepted.id)[0].at + timedelta(hours=2)


def run_until_parked(deps, clock):
    for _ in range(40):
        if any(m.get("webhook_id") for _, m in deps.queue.sent):
            attempt_next(deps)
        else:
            clock.advance(hours=1)
            deliveries.sweep_due(deps)


def test_after_the_last_attempt_the_delivery_is_parked_for_operators_who_replay_it(deps, clock):
    deps.webhooks.status = 500
    accepted, webhook = queued(deps)
    run_until_parked(deps, clock)
    parked, = deliveries.listing(deps, "parked")
    assert (parked.id, parked.status, parked.attempt_count) == (webhook, DeliveryStatus.PARKED, 11)
    assert attempts_logged(deps, accepted.id)[-1].at - attempts_logged(deps, accepted.id)[0].at >= timedelta(hours=24)
    assert [e.kind for e in deps.cases.events(accepted.id)][-1] == "delivery_parked"
    deps.webhooks.status = 204
    deliveries.replay(deps, webhook, actor="operator:anna")
    attempt_next(deps)
    assert deliveries.listing(deps, "parked") == []
    assert delivery(deps, webhook).status is DeliveryStatus.DELIVERED
    replayed = next(e for e in deps.cases.events(accepted.id) if e.kind == "delivery_replayed")
    assert replayed.actor == "operator:anna"
    assert tracking.public_case(deps, accepted.id, accepted.token)["timeline"][-1]["kind"] == "delivered"
    assert {h["webhook-id"] for _, h, _ in deps.webhooks.requests} == {webhook}  # stable across the replay
    with pytest.raises(ApiError) as again:
        deliveries.replay(deps, webhook)
    assert again.value.status == 409


def test_410_gone_disables_the_endpoint_tells_operators_and_holds_later_webhooks(deps):
    deps.webhooks.status = 410
    first, webhook = queued(deps)
    attempt_next(deps)
    assert delivery(deps, webhook).status is DeliveryStatus.DISABLED and deps.queue.sent == []
    endpoint = deps.directory.endpoint("adm_nevsky")
    assert not endpoint.active and "410" in endpoint.disabled_reason
    off, = endpoints.listing(deps, only_disabled=True)
    assert off["executor_id"] == "adm_nevsky" and "410" in off["disabled_reason"]
    assert "endpoint_disabled" in [e.kind for e in deps.cases.events(first.id)]

    _, later = queued(deps)
    attempt_next(deps)
    assert len(deps.webhooks.requests) == 1  # held, not sent to a gone endpoint
    assert {d.id for d in deliveries.listing(deps, "disabled")} == {webhook, later}

    deps.webhooks.status = 204
    assert sorted(endpoints.enable(deps, "adm_nevsky")) == sorted([webhook, later])
    attempt_next(deps)
    attempt_next(deps)
    assert {delivery(deps, w).status for w in (webhook, later)} == {DeliveryStatus.DELIVERED}


def test_a_repeated_or_stale_message_makes_no_second_attempt(deps):
    deps.webhooks.status = 500
    _, webhook = queued(deps)
    message = deps.queue.sent[0]
    attempt_next(deps)
    handle(deps, *message)  # SQS delivered the first attempt's message again
    assert len(deps.webhooks.requests) == 1
    assert delivery(deps, webhook).attempt_count == 1


def test_an_accepted_webhook_whose_record_fails_at_first_is_not_sent_again(deps, monkeypatch):
    _, webhook = queued(deps)
    real_save, failures = deps.deliveries.save, iter([ConnectionError("throttled"), ConnectionError("throttled")])

    def flaky_save(found):
        if found.status is DeliveryStatus.DELIVERED and (failure := next(failures, None)):
            raise failure
        real_save(found)

    monkeypatch.setattr(deps.deliveries, "save", flaky_save)
    monkeypatch.setattr(deliveries, "RECORD_BACKOFF_S", 0)
    attempt_next(deps)
    assert len(deps.webhooks.requests) == 1
    assert delivery(deps, webhook).status is DeliveryStatus.DELIVERED


def test_a_lost_first_message_is_sent_by_the_sweeper_after_a_grace_period(deps, clock):
    _, webhook = queued(deps)
    deps.queue.sent.clear()  # the send after the write was lost
    assert deliveries.sweep_due(deps)["sent"] == 0
    clock.advance(minutes=16)
    assert deliveries.sweep_due(deps)["sent"] == 1
    attempt_next(deps)
    assert delivery(deps, webhook).status is DeliveryStatus.DELIVERED


def test_during_a_rotation_each_webhook_carries_a_signature_per_valid_secret(deps, clock):
    old = deps.directory.endpoint("adm_nevsky").secrets[0]
    _, new = endpoints.rotate_secret(deps, "adm_nevsky", timedelta(hours=24))
    queued(deps)
    attempt_next(deps)
    _, headers, body = deps.webhooks.requests[-1]
    assert len(headers["webhook-signature"].split()) == 2
    verify(old, headers, body)
    verify(new, headers, body)
    clock.advance(hours=25)
    queued(deps, GARBAGE.model_copy(update={"text": GARBAGE.text + " Второй раз."}))
    attempt_next(deps)
    _, headers, body = deps.webhooks.requests[-1]
    verify(new, headers, body)
    with pytest.raises(ValueError):
        verify(old, headers, body)  # the old secret expired after the overlap


def test_an_unsafe_endpoint_is_refused_at_registration(deps):
    deps.webhooks.dns["intranet.example.org"] = ["10.1.2.3"]
    before = deps.directory.endpoint("adm_nevsky")
    for url in ("https://intranet.example.org/hook", "http://hooks.example.org/", "https://127.0.0.1/"):
        with pytest.raises(ApiError) as refused:
            endpoints.register(deps, "adm_nevsky", url)
        assert (refused.value.status, refused.value.fields[0]["field"]) == (422, "url")
    assert deps.directory.endpoint("adm_nevsky") == before
    endpoint, secret = endpoints.register(deps, "adm_nevsky", "https://hooks.example.org/tsur")
    assert endpoint.url == "https://hooks.example.org/tsur" and secret is None  # the secret is kept


def test_the_first_endpoint_of_an_executor_releases_what_waited_for_it(deps):
    deps.directory._endpoints.pop("adm_nevsky")
    accepted, webhook = queued(deps)
    attempt_next(deps)
    assert delivery(deps, webhook).status is DeliveryStatus.DISABLED
    held = next(e for e in deps.cases.events(accepted.id) if e.kind == "delivery_held")
    assert "не настроен" in held.reason
    _, secret = endpoints.register(deps, "adm_nevsky", "https://hooks.example.org/tsur")
    attempt_next(deps)
    _, headers, body = deps.webhooks.requests[-1]
    verify(secret, headers, body)


def test_scripted_failures_then_success_keep_one_delivery(deps):
    deps.webhooks.replies = [HttpResult(None, 10_000.0, "timed out"), HttpResult(502, 5.0, "HTTP 502")]
    accepted, webhook = queued(deps)
    for _ in range(3):
        attempt_next(deps)
    assert [(a.data["status"], a.data["error"]) for a in attempts_logged(deps, accepted.id)] == [
        (None, "timed out"), (502, "HTTP 502"), (204, None)]
    assert delivery(deps, webhook).attempt_count == 3


def test_operators_see_and_send_back_what_a_dead_letter_queue_holds(deps):
    parked = deps.dead_letters.parked["notify"]
    parked += [DeadLetter("m1", '{"case_id": "c_1", "step": "notify"}', None, 5), DeadLetter("m2", "{oops", None, 5)]
    assert {q["queue"]: q["parked"] for q in dead_letters.overview(deps)}["notify"] == 2
    listed = dead_letters.messages(deps, "notify")
    assert [(m["message_id"], m["case_id"]) for m in listed] == [("m1", "c_1"), ("m2", None)]
    assert dead_letters.redrive(deps, "notify", ["m2"]) == 1
    assert deps.dead_letters.redriven["notify"] == ["{oops"] and dead_letters.redrive(deps, "notify") == 1
    with pytest.raises(ApiError):
        dead_letters.messages(deps, "nowhere")


def mails(deps):
    return [m for step, m in deps.queue.sent if step == "mail"]


class RacingSender(RecordingWebhookSender):
    """While one attempt waits for its answer, another worker makes the attempt in `racing`."""

    def __init__(self, deps):
        super().__init__(410)
        self.deps, self.racing = deps, None

    def post(self, url, headers, body):
        if self.racing:
            message, self.racing = self.racing, None
            handle(self.deps, *message)
        return super().post(url, headers, body)


def test_a_410_sends_the_operators_exactly_one_letter(deps):
    deps.settings = replace(deps.settings, operators_alert_email="ops@tsur.test")
    deps.webhooks = sender = RacingSender(deps)
    intake.submit_appeal(deps, GARBAGE)
    second = intake.submit_appeal(deps, GARBAGE)
    while steps := [sent for sent in deps.queue.sent if not sent[1].get("webhook_id")]:
        deps.queue.sent.remove(steps[0])  # run the pipeline until both webhooks wait, the endpoint still on
        handle(deps, *steps[0])
    sender.racing = deps.queue.sent.pop(1)
    racing = sender.racing[1]["webhook_id"]
    attempt_next(deps)  # both attempts saw the endpoint on, both got a 410
    alert, = [m for m in mails(deps) if m["audience"] == "operators"]
    _, held = queued(deps)
    attempt_next(deps)
    assert len(sender.requests) == 2 and delivery(deps, held).status is DeliveryStatus.DISABLED
    drain(deps)
    mail.consume(deps, mail.MailMessage.model_validate(alert))  # SQS delivered the message again
    letters = [(subject, body) for to, subject, body in deps.mailer.sent if to == "ops@tsur.test"]
    assert len(letters) == 1
    subject, body = letters[0]
    assert subject == "Адрес для уведомлений отключён: Администрация Невского района"
    assert "tsur executors enable adm_nevsky" in body and "410 Gone" in body
    assert racing in body and second.id in body  # names the webhook that got the 410, and its case
    assert "мусор" not in body  # nothing of the residents' text


def test_without_an_alert_address_a_410_is_only_logged_and_shown(deps):
    deps.webhooks.status = 410
    queued(deps)
    attempt_next(deps)
    assert [m for m in mails(deps) if m["audience"] == "operators"] == []
    off, = endpoints.listing(deps, only_disabled=True)
    assert off["executor_id"] == "adm_nevsky"


def run_queue_and_sweeper(deps, clock, until, back_at):
    """SQS as it behaves: each message handled when its delay is over; the sweeper every minute. The
    endpoint answers 503 until `back_at`, 204 after."""
    waiting = []  # (due, queue, message)
    next_sweep = clock.now
    while clock.now < until:
        sent, deps.queue.sent = deps.queue.sent, []
        delays = deps.queue.delays[len(deps.queue.delays) - len(sent):]
        waiting += [(clock.now + timedelta(seconds=d), q, m) for d, (q, m) in zip(delays, sent, strict=True)]
        deps.webhooks.status = 204 if clock.now >= back_at else 503
        due = sorted((w for w in waiting if w[0] <= clock.now), key=lambda w: w[0])
        if due:
            waiting.remove(due[0])
            handle(deps, due[0][1], due[0][2])
        elif clock.now >= next_sweep:
            deliveries.sweep_due(deps)
            next_sweep = clock.now + timedelta(minutes=1)
        else:
            clock.now = min([w[0] for w in waiting] + [next_sweep, back_at if clock.now < back_at else until])


def test_an_endpoint_down_for_six_hours_gets_each_webhook_once_when_back_on_the_retry_schedule(deps, clock):
    deps.webhooks.status = 503
    cases = [intake.submit_appeal(deps, GARBAGE.model_copy(update={"text": f"{GARBAGE.text}, дом {n}"}))
             for n in range(5)]
    start = clock.now
    run_queue_and_sweeper(deps, clock, until=start + timedelta(hours=14), back_at=start + timedelta(hours=6))
    # The schedule with the jitter at its middle: 3 s, 15 s, 1, 5, 15, 30, 90 min, 3 h, 6 h between attempts.
    expected_gaps = [3, 15, 60, 300, 900, 1800, 5400, 10800, 21600]
    for accepted in cases:
        attempts = attempts_logged(deps, accepted.id)
        statuses = [a.data["status"] for a in attempts]
        assert statuses == [503] * 9 + [204]  # delivered once, at the first attempt after the endpoint came back
        assert attempts[-1].at >= start + timedelta(hours=6)
        gaps = [(b.at - a.at).total_seconds() for a, b in pairwise(attempts)]
        for gap, planned in zip(gaps, expected_gaps, strict=True):
            late = 60 if planned > 900 else 0  # past SQS's 15 minutes the sweeper, run every minute, sends it
            assert planned <= gap <= planned + late, (gaps, expected_gaps)
        assert delivery(deps, attempts[0].data["delivery_id"]).status is DeliveryStatus.DELIVERED
    webhook_ids = [h["webhook-id"] for _, h, _ in deps.webhooks.requests]
    assert len(set(webhook_ids)) == 5 and len(webhook_ids) == 50
