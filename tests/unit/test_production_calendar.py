"""The Russian production calendar and deadlines counted on it, in the executor's own time zone."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from chalicelib.domain.calendar import DATA_FILE, WorkCalendar, russian_calendar, statutory_days_off
from chalicelib.domain.deadlines import DeadlineRule
from tsur.cli import main

MSK = ZoneInfo("Europe/Moscow")
KALININGRAD = ZoneInfo("Europe/Kaliningrad")  # UTC+2, the westernmost
KAMCHATKA = ZoneInfo("Asia/Kamchatka")  # UTC+12, the easternmost with executors

# Per decreed year: the official number of working days (five-day week) and the days the decree moved.
YEARS = {
    2020: (248, {"off": ["2020-05-04", "2020-05-05", "2020-02-24", "2020-03-09", "2020-05-11"], "work": []}),
    2021: (247, {"off": ["2021-02-22", "2021-11-05", "2021-12-31"], "work": ["2021-02-20"]}),
    2022: (247, {"off": ["2022-03-07", "2022-05-03", "2022-05-10"], "work": ["2022-03-05"]}),
    2023: (247, {"off": ["2023-02-24", "2023-05-08", "2023-11-06"], "work": []}),
    2024: (248, {"off": ["2024-04-29", "2024-04-30", "2024-05-10", "2024-12-30", "2024-12-31"],
                 "work": ["2024-04-27", "2024-11-02", "2024-12-28"]}),
    2025: (247, {"off": ["2025-05-02", "2025-05-08", "2025-06-13", "2025-11-03", "2025-12-31"],
                 "work": ["2025-11-01"]}),
    2026: (247, {"off": ["2026-01-09", "2026-03-09", "2026-05-11", "2026-12-31"], "work": []}),
}
# The President's non-working days (paid, declared by decree): days off for deadlines as well.
PRESIDENTIAL = {2020: 29, 2021: 7}


@pytest.mark.parametrize("year", sorted(YEARS))
def test_each_year_has_its_decree_and_the_official_count_of_working_days(year):
    calendar = russian_calendar()
    working_days, moved = YEARS[year]
    assert calendar.covers(year)
    presidential = len(calendar.presidential_days_off(year))
    assert presidential == PRESIDENTIAL.get(year, 0)
    assert calendar.working_days_in(year) + presidential == working_days
    assert not any(calendar.is_working_day(date.fromisoformat(d)) for d in moved["off"])
    assert all(calendar.is_working_day(date.fromisoformat(d)) for d in moved["work"])
    assert not calendar.is_working_day(date(year, 1, 1)) and not calendar.is_working_day(date(year, 6, 12))


def test_a_long_weekend_is_skipped():
    # May 2025: 1–4 and 8–11 are days off; Feb 23 and Mar 8 were moved to May 8 and Jun 13.
    due = DeadlineRule(days=2, working_days=True).due(datetime(2025, 4, 30, 10, 0, tzinfo=MSK), MSK)
    assert due == datetime(2025, 5, 6, 10, 0, tzinfo=MSK)


def test_a_transferred_working_saturday_counts():
    friday = datetime(2025, 10, 31, 10, 0, tzinfo=MSK)  # Saturday Nov 1 worked, Monday Nov 3 and 4 off
    assert DeadlineRule(days=1, working_days=True).due(friday, MSK) == datetime(2025, 11, 1, 10, 0, tzinfo=MSK)
    assert DeadlineRule(days=2, working_days=True).due(friday, MSK) == datetime(2025, 11, 5, 10, 0, tzinfo=MSK)


def test_a_deadline_crossing_the_new_year_holidays():
    # 2026: Dec 31 off, then Jan 1–11 off; the first working day of 2027 is Monday Jan 11.
    start = datetime(2026, 12, 29, 15, 0, tzinfo=MSK)
    assert DeadlineRule(days=3, working_days=True).due(start, MSK) == datetime(2027, 1, 12, 15, 0, tzinfo=MSK)
    # Ten calendar days end on Jan 8, a holiday: the term ends on the next working day (art. 193 ГК).
    assert DeadlineRule(days=10).due(start, MSK) == datetime(2027, 1, 11, 15, 0, tzinfo=MSK)


def test_time_zones_east_and_west_count_their_own_dates():
    # One instant: Tuesday evening, Dec 29, in Kaliningrad; already Wednesday morning, Dec 30, in
    # Kamchatka, where one working day later the New Year holidays have begun.
    instant = datetime(2026, 12, 29, 21, 30, tzinfo=UTC)
    rule = DeadlineRule(days=1, working_days=True)
    assert rule.due(instant, KALININGRAD) == datetime(2026, 12, 30, 23, 30, tzinfo=KALININGRAD)
    assert rule.due(instant, KAMCHATKA) == datetime(2027, 1, 11, 9, 30, tzinfo=KAMCHATKA)
    assert rule.due(instant, MSK) == datetime(2027, 1, 11, 0, 30, tzinfo=MSK)  # Wednesday 00:30 in Moscow too


def test_fast_tracks_run_through_holidays_and_nothing_passes_thirty_days():
    new_year = datetime(2027, 1, 1, 3, 0, tzinfo=MSK)
    assert DeadlineRule(hours=24).due(new_year, MSK) == new_year + timedelta(hours=24)
    assert DeadlineRule(hours=1000).due(new_year, MSK) == new_year + timedelta(days=30)
    assert DeadlineRule(days=30, working_days=True).due(new_year, MSK) == new_year + timedelta(days=30)


def test_a_year_without_a_decree_falls_back_to_the_labour_code():
    # 2028 has no decree in the data yet: holidays on weekends outside January move to the next weekday.
    calendar = russian_calendar()
    assert not calendar.covers(2028)
    off = statutory_days_off(2028)
    assert date(2028, 5, 1) in off  # a Monday
    assert date(2028, 3, 8) in off  # a Wednesday
    assert date(2028, 11, 6) in off  # Nov 4 is a Saturday: moved to Monday
    assert not calendar.is_working_day(date(2028, 11, 6)) and calendar.is_working_day(date(2028, 11, 7))


def test_a_calendar_can_be_given_as_data():
    calendar = WorkCalendar.from_data({"years": {"2030": {"days_off": ["2030-01-02"],
                                                          "working_weekends": ["2030-01-05"]}}})
    assert not calendar.is_working_day(date(2030, 1, 2))
    assert calendar.is_working_day(date(2030, 1, 5))
    assert calendar.add_working_days(date(2030, 1, 1), 2) == date(2030, 1, 4)


def test_the_presidents_non_working_days_count_as_days_off():
    calendar = russian_calendar()
    for day in ("2020-03-30", "2020-04-15", "2020-05-07", "2020-06-24", "2020-07-01", "2021-05-05", "2021-11-02"):
        assert not calendar.is_working_day(date.fromisoformat(day)), day
    assert calendar.is_working_day(date(2020, 5, 12)) and calendar.is_working_day(date(2021, 11, 8))
    # Friday 30 April 2021, one working day: 1–3 May holidays, 4–7 May the President's, 8–9 a weekend, 10 moved.
    friday = datetime(2021, 4, 30, 10, 0, tzinfo=MSK)
    assert DeadlineRule(days=1, working_days=True).due(friday, MSK) == datetime(2021, 5, 11, 10, 0, tzinfo=MSK)


def test_2027_is_provisional_until_its_decree_is_published():
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))["years"]["2027"]
    assert raw["decreed"] is False and "days_off" not in raw  # computed from the Labour Code, not copied
    calendar = russian_calendar()
    assert not calendar.covers(2027)
    weekdays_off = sorted(d for d in statutory_days_off(2027))
    assert [d.isoformat() for d in weekdays_off] == [
        "2027-01-01", "2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08",  # Jan 2–3: a weekend
        "2027-02-23", "2027-03-08",
        "2027-05-03", "2027-05-10", "2027-06-14",  # May 1, May 9, June 12 fall on a weekend: the Monday is off
        "2027-11-04"]
    assert calendar.working_days_in(2027) == 261 - len(weekdays_off)  # 249 until the decree moves days
    assert calendar.is_working_day(date(2027, 12, 31))  # no decree has made it a day off yet


def test_the_calendar_command_warns_that_a_year_without_a_decree_is_provisional():
    result = CliRunner().invoke(main, ["deadlines", "calendar", "2027"])
    assert result.exit_code == 0, result.output
    assert "ещё не опубликовано" in result.stderr and "предварительный" in result.stderr
    listed = json.loads(result.stdout)
    assert listed["provisional"] is True and listed["working_days"] == 249
    decreed = CliRunner().invoke(main, ["deadlines", "calendar", "2026"])
    assert "предварительный" not in decreed.stderr and json.loads(decreed.stdout)["provisional"] is False
