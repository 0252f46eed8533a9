from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib import reference
from chalicelib.domain.deadlines import DeadlineRule
from chalicelib.domain.routing import NoRoute, Router, RoutingRule

MSK = ZoneInfo("Europe/Moscow")


def test_the_most_specific_rule_wins_and_the_region_rule_is_the_fallback():
    router = Router([
        RoutingRule("any", "governor"),
        RoutingRule("sector", "roads_committee", sector="roads"),
        RoutingRule("category", "roads_committee_2", category="roads.pothole"),
        RoutingRule("category@district", "adm_nevsky", category="roads.pothole", municipality="nevsky"),
    ])
    assert router.route("roads.pothole", "roads", "nevsky").executor_id == "adm_nevsky"
    assert router.route("roads.pothole", "roads", "kirovsky").executor_id == "roads_committee_2"
    assert router.route("roads.snow", "roads", None).executor_id == "roads_committee"
    assert router.route("health.other", "health", None).rule.id == "any"


def test_no_rule_at_all_is_an_explicit_error():
    with pytest.raises(NoRoute):
        Router([RoutingRule("r", "x", sector="roads")]).route("health.other", "health", None)


def test_demo_region_routes_yard_problems_to_the_district_and_the_rest_to_the_city():
    router = reference.router()
    assert router.route("landscaping.yard", "landscaping", "nevsky").executor_id == "adm_nevsky"
    assert router.route("landscaping.yard", "landscaping", None).executor_id == "landscaping_committee"
    assert router.route("health.medicines", "health", "nevsky").executor_id == "health_committee"


def test_fast_tracks_count_hours():
    start = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert DeadlineRule(hours=6).due(start, MSK) == start + timedelta(hours=6)


def test_calendar_days_and_working_days_that_skip_the_weekend():
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=MSK)
    assert DeadlineRule(days=3).due(friday, MSK) == datetime(2026, 11, 30, 9, 0, tzinfo=MSK)
    assert DeadlineRule(days=3, working_days=True).due(friday, MSK) == datetime(2026, 12, 2, 9, 0, tzinfo=MSK)


def test_no_deadline_goes_past_the_legal_thirty_days():
    start = datetime(2026, 11, 2, 9, 0, tzinfo=MSK)
    assert DeadlineRule(days=30, working_days=True).due(start, MSK) == start + timedelta(days=30)


@pytest.mark.parametrize("raw", [{}, {"days": 0}, {"days": 3, "hours": 4}])
def test_a_deadline_rule_needs_one_positive_amount(raw):
    with pytest.raises(ValueError):
        DeadlineRule.from_data(raw)
