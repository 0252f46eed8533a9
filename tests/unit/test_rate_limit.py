"""The local stack's rate limits: a sliding window per client, a token bucket for all, the numbers and
the 429 bodies read from infra/template.json (what WAF and API Gateway enforce in AWS)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tsur.local.rate_limit import FrontLimits, SlidingWindow, TokenBucket
from tsur.local.stack import LocalOptions
from tsur.local.template import TEMPLATE_PATH, api_limits


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_sliding_window_lets_limit_requests_through_then_says_how_long_to_wait(clock):
    window = SlidingWindow(3, 300, clock)
    for _ in range(3):
        assert window.wait_s("a") == 0
        clock.now += 10
    clock.now = 1100.0
    assert window.wait_s("a") == pytest.approx(200)  # the first request leaves the window at 1300
    assert window.wait_s("b") == 0  # another client is counted apart
    clock.now = 1300.0
    assert window.wait_s("a") == 0  # the first one has left: one more
    assert window.wait_s("a") == pytest.approx(10)  # then the second has to leave


def test_refused_requests_do_not_count(clock):
    window = SlidingWindow(1, 60, clock)
    window.wait_s("a")
    for _ in range(50):
        clock.now += 1
        window.wait_s("a")
    clock.now = 1000.0 + 60
    assert window.wait_s("a") == 0


def test_a_token_bucket_takes_a_burst_then_the_steady_rate(clock):
    bucket = TokenBucket(rate_per_s=10, burst=5, clock=clock)
    assert [bucket.wait_s() for _ in range(5)] == [0] * 5
    assert bucket.wait_s() == pytest.approx(0.1)
    clock.now += 0.1
    assert bucket.wait_s() == 0 and bucket.wait_s() > 0
    clock.now += 100
    assert [bucket.wait_s() for _ in range(5)] == [0] * 5  # never more than the burst saved up


def _raw() -> dict:
    return json.loads(TEMPLATE_PATH.read_text())


def test_the_limits_are_read_from_the_template():
    raw = _raw()
    limits = api_limits()
    acl = raw["Resources"]["PublicWebAcl"]["Properties"]
    assert limits.per_client == raw["Parameters"]["PublicRateLimitPer5Min"]["Default"]
    assert limits.window_s == acl["Rules"][0]["Statement"]["RateBasedStatement"]["EvaluationWindowSec"] == 300
    assert limits.rate_per_s == raw["Parameters"]["ApiThrottlingRateLimit"]["Default"]
    assert limits.burst == raw["Parameters"]["ApiThrottlingBurstLimit"]["Default"]
    for refusal in (limits.per_client_refusal, limits.throttled_refusal):
        body = json.loads(refusal.body)
        assert refusal.status == 429 and set(body) == {"error", "message", "fields"}
        assert any("а" <= ch <= "я" for ch in body["message"])


def test_a_changed_number_in_the_template_changes_the_local_limit(tmp_path: Path):
    raw = _raw()
    raw["Parameters"]["PublicRateLimitPer5Min"]["Default"] = 7
    raw["Parameters"]["ApiThrottlingBurstLimit"]["Default"] = 9
    changed = tmp_path / "template.json"
    changed.write_text(json.dumps(raw))
    assert (api_limits(changed).per_client, api_limits(changed).burst) == (7, 9)


def test_tsur_local_defaults_to_the_templates_number():
    assert LocalOptions().rate_limit is None
    assert FrontLimits(api_limits(), LocalOptions().rate_limit).per_client == _raw()["Parameters"][
        "PublicRateLimitPer5Min"]["Default"]
    assert FrontLimits(api_limits(), 5).per_client == 5


@pytest.mark.parametrize(("path", "limited"), [
    ("/v1/appeals", True), ("/v1/appeals/c_1?token=x", True), ("/v1/appeals/c_1/rating", True),
    ("/v1/uploads", True), ("/v1/social/vk", True), ("/v1/%61ppeals", True), ("/api/v1/appeals", True),
    ("/v1/sectors", False), ("/v1/admin/cases", False), ("/v1/executor/cases", False), ("/health", False),
    ("/openapi.json", False),
])
def test_the_per_client_limit_covers_the_public_paths_of_the_waf_rule(clock, path, limited):
    front = FrontLimits(api_limits(), per_client=1, clock=clock)
    assert front.check("10.0.0.1", path) is None
    refused = front.check("10.0.0.1", path)
    assert (refused is not None) is limited
    assert front.check("10.0.0.2", path) is None  # another client is unaffected


def test_a_refusal_is_the_templates_body_with_retry_after(clock):
    front = FrontLimits(api_limits(), per_client=2, clock=clock)
    front.check("10.0.0.1", "/v1/appeals")
    clock.now += 10
    front.check("10.0.0.1", "/v1/appeals")
    refused = front.check("10.0.0.1", "/v1/appeals")
    assert refused is not None and refused.status == 429
    assert refused.headers["Retry-After"] == "290"
    assert refused.body == api_limits().per_client_refusal.body


def test_zero_means_no_per_client_limit_but_the_stage_throttle_stays(clock):
    front = FrontLimits(api_limits(), per_client=0, clock=clock)
    assert all(front.check("10.0.0.1", "/v1/appeals") is None for _ in range(api_limits().burst))
    refused = front.check("10.0.0.1", "/v1/appeals")
    assert refused is not None and json.loads(refused.body)["error"] == "throttled"
    assert refused.headers["Retry-After"] == "1"
