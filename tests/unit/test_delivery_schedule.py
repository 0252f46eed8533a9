"""The retry schedule and what an attempt's outcome does to a delivery: pure domain, no I/O."""

import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from chalicelib.domain.delivery import (
    DEFAULT_DELAYS,
    Attempt,
    Delivery,
    DeliveryStatus,
    NotReplayable,
    RetrySchedule,
    case_of,
    retry_after,
    webhook_id,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SCHEDULE = RetrySchedule()


def fail_until_parked(delivery: Delivery, rng, status: int = 500) -> list[datetime]:
    """Fail every attempt at the moment it is due; the times of the attempts made."""
    made = []
    now = T0
    while delivery.status is not DeliveryStatus.PARKED:
        made.append(now)
        delivery.record(Attempt(now, delivery.next_number, status, 3.0, "HTTP 500"), SCHEDULE, rng)
        now = delivery.next_attempt_at or now
    return made


def new_delivery() -> Delivery:
    return Delivery.create(webhook_id("c_1", "1"), "c_1", "adm_nevsky", "case.assigned", "{}", T0)


def test_the_nominal_schedule_runs_from_seconds_to_a_day_and_more_than_a_day_in_total():
    assert DEFAULT_DELAYS[0] == timedelta(seconds=5) and DEFAULT_DELAYS[-1] == timedelta(hours=24)
    assert sum(DEFAULT_DELAYS, timedelta()) > timedelta(hours=24)
    assert SCHEDULE.max_attempts == 11


def test_full_jitter_waits_up_to_the_step_and_is_reproducible_with_a_seed():
    first = fail_until_parked(new_delivery(), random.Random(7).random)
    again = fail_until_parked(new_delivery(), random.Random(7).random)
    assert first == again and len(first) == SCHEDULE.max_attempts
    waits = [b - a for a, b in pairwise(first)]
    assert all(timedelta(0) <= w <= cap for w, cap in zip(waits[:-1], DEFAULT_DELAYS, strict=False))
    assert first != fail_until_parked(new_delivery(), random.Random(8).random)


def test_even_with_the_shortest_jitter_the_last_attempt_comes_a_day_after_the_first():
    made = fail_until_parked(new_delivery(), lambda: 0.0)
    assert made[-2] == T0  # every jittered wait was zero…
    assert made[-1] - made[0] >= timedelta(hours=24)  # …yet the receiver had a day to come back


def test_with_the_longest_jitter_each_wait_is_the_full_step():
    made = fail_until_parked(new_delivery(), lambda: 1.0)
    assert [b - a for a, b in pairwise(made)] == list(DEFAULT_DELAYS)


def test_after_the_last_attempt_the_delivery_is_parked_with_nothing_scheduled():
    delivery = new_delivery()
    fail_until_parked(delivery, lambda: 0.5)
    assert delivery.status is DeliveryStatus.PARKED
    assert delivery.next_attempt_at is None and delivery.sweep_at is None
    assert delivery.attempt_count == 11 and delivery.last_error == "HTTP 500"


@pytest.mark.parametrize(("header", "expected"), [
    ("120", timedelta(seconds=120)),
    ("Mon, 23 Nov 2026 10:00:00 GMT", timedelta(hours=1)),
    ("Mon, 23 Nov 2026 08:00:00 GMT", timedelta(0)),  # a date in the past: now
    ("soon", None),
    ("", None),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(header, expected):
    assert retry_after(header, T0) == expected


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_on_429_and_503_delays_the_next_attempt_at_least_that_long(status):
    delivery = new_delivery()
    delivery.record(Attempt(T0, 1, status, 1.0), SCHEDULE, lambda: 0.0, header_retry_after="600")
    assert delivery.next_attempt_at == T0 + timedelta(seconds=600)
    assert delivery.queue_delay(T0) == 600  # within SQS's 15 minutes: a delayed message


def test_retry_after_is_ignored_on_other_failures_and_capped_at_a_day():
    other = new_delivery()
    other.record(Attempt(T0, 1, 500, 1.0), SCHEDULE, lambda: 0.0, header_retry_after="600")
    assert other.next_attempt_at == T0
    greedy = new_delivery()
    greedy.record(Attempt(T0, 1, 429, 1.0), SCHEDULE, lambda: 0.0, header_retry_after=str(7 * 24 * 3600))
    assert greedy.next_attempt_at == T0 + timedelta(hours=24)
    assert greedy.queue_delay(T0) is None and greedy.sweep_at == greedy.next_attempt_at  # the sweeper's


def test_410_gone_disables_a_2xx_delivers_and_neither_is_retried():
    gone, ok = new_delivery(), new_delivery()
    assert gone.record(Attempt(T0, 1, 410, 1.0), SCHEDULE, lambda: 0.5) is DeliveryStatus.DISABLED
    assert ok.record(Attempt(T0, 1, 204, 1.0), SCHEDULE, lambda: 0.5) is DeliveryStatus.DELIVERED
    assert gone.sweep_at is None and ok.sweep_at is None


def test_a_replay_starts_a_fresh_round_but_keeps_the_id_and_the_count():
    delivery = new_delivery()
    fail_until_parked(delivery, lambda: 0.0)
    later = T0 + timedelta(days=3)
    delivery.replay(later)
    assert (delivery.status, delivery.round_attempts, delivery.next_number) == (DeliveryStatus.PENDING, 0, 12)
    assert delivery.awaits(12) and not delivery.awaits(11)
    delivery.record(Attempt(later, 12, 500, 1.0), SCHEDULE, lambda: 1.0)
    assert delivery.next_attempt_at == later + DEFAULT_DELAYS[0]  # the schedule starts over
    delivered = new_delivery()
    delivered.record(Attempt(T0, 1, 200, 1.0), SCHEDULE, lambda: 0.5)
    with pytest.raises(NotReplayable):
        delivered.replay(later)


def test_a_message_for_an_attempt_already_made_is_a_leftover():
    delivery = new_delivery()
    assert delivery.awaits(1)
    delivery.record(Attempt(T0, 1, 500, 1.0), SCHEDULE, lambda: 0.5)
    assert not delivery.awaits(1) and delivery.awaits(2)


def test_the_sweeper_gives_up_on_an_attempt_that_never_runs():
    delivery = new_delivery()
    sent = 0
    while delivery.swept(T0):
        sent += 1
    assert sent == 4 and delivery.status is DeliveryStatus.PARKED


def test_webhook_ids_carry_their_case():
    assert webhook_id("c_0abc_1x", "reminder-2") == "msg_c_0abc_1x_reminder-2"
    assert case_of("msg_c_0abc_1x_reminder-2") == "c_0abc_1x"
    assert case_of("nonsense") is None
    assert case_of(webhook_id("c_0abc_1x", "returned-a_7/b")) == "c_0abc_1x"
    assert webhook_id("c_1", "a_7/b") == webhook_id("c_1", "a_7/b") == "msg_c_1_a-7-b"
    with pytest.raises(ValueError):
        webhook_id("c_1", "")
