"""What the operators' pages show: the heat map at Samara's threshold with last year beside it, the overdue
board's columns, and every filter of the case search."""

import base64
import json
from datetime import timedelta

import pytest

from chalicelib.api.schemas import AnswerIn
from chalicelib.services import deadlines, executor_api
from tests.unit.operators import session, submit
from tests.unit.test_executor_api import FORMAL, SUBSTANTIVE
from tests.unit.test_pipeline import drain

ROAD = "На дороге у дома {} огромная яма, повреждено покрытие"
GARBAGE = "Во дворе дома {} не вывозят мусор, контейнеры переполнены"


@pytest.fixture
def client(admin_client):
    return admin_client


def get(client, deps, user, path):
    response = client.http.get(path, headers=session(deps, user))
    assert response.status_code == 200, response.body
    return response.json_body


def kronshtadt(client, deps):
    body = get(client, deps, "governor", "/v1/admin/heatmap?sector=roads")
    return body["threshold"], next(d for d in body["districts"] if d["id"] == "kronshtadtsky")


def test_the_heat_map_turns_a_district_red_at_15_road_appeals_per_1000_residents(client, fake_deps, clock):
    clock.advance(days=-365)
    for n in range(2):
        submit(fake_deps, ROAD.format(n), municipality="kronshtadtsky")
    clock.advance(days=365)
    for n in range(659):  # Кронштадтский район: 44 thousand residents, 15 per 1,000 is 660 appeals
        submit(fake_deps, ROAD.format(n), municipality="kronshtadtsky")
    threshold, district = kronshtadt(client, fake_deps)
    assert threshold == 15.0
    assert (district["count"], district["per_1000"], district["red"]) == (659, 14.98, False)
    assert (district["last_year_count"], district["last_year_per_1000"]) == (2, 0.05)

    submit(fake_deps, ROAD.format(660), municipality="kronshtadtsky")
    _, district = kronshtadt(client, fake_deps)
    assert (district["count"], district["per_1000"], district["red"]) == (660, 15.0, True)


def board_row(client, deps, executor_id):
    rows = get(client, deps, "operator", "/v1/admin/board")["executors"]
    return next(r for r in rows if r["id"] == executor_id)


def test_the_board_shows_due_today_the_median_time_to_answer_and_the_share_returned(client, fake_deps, clock):
    first, second = (submit(fake_deps, GARBAGE.format(n), municipality="nevsky") for n in (12, 14))
    row = board_row(client, fake_deps, "adm_nevsky")
    assert (row["open"], row["due_today"], row["median_hours_to_answer"], row["returned_share"]) == (2, 0, None, None)

    deadline = fake_deps.cases.get(first).assignment.deadline_at
    clock.now = deadline - timedelta(hours=1)  # the deadline's own day, in St Petersburg
    assert board_row(client, fake_deps, "adm_nevsky")["due_today"] == 2

    executor_api.post_answer(fake_deps, "adm_nevsky", first, AnswerIn(kind="final", text=FORMAL))
    executor_api.post_answer(fake_deps, "adm_nevsky", second, AnswerIn(kind="final", text=SUBSTANTIVE))
    drain(fake_deps)
    row = board_row(client, fake_deps, "adm_nevsky")
    assert row["returned_share"] == 0.5  # the formal reply went back to the executor
    hours = (clock.now - fake_deps.cases.get(second).created_at).total_seconds() / 3600
    assert row["median_hours_to_answer"] >= hours and row["median_hours_to_answer"] < 2 * hours + 24


@pytest.fixture
def cases(fake_deps, clock):
    """Four cases that differ in one thing each: month, district and sector, source, overdue."""
    clock.advance(days=-40)
    october = submit(fake_deps, GARBAGE.format(3), municipality="kirovsky")
    clock.advance(days=40)
    garbage = submit(fake_deps, GARBAGE.format(12), municipality="nevsky")
    road = submit(fake_deps, ROAD.format(5), municipality="kronshtadtsky", source="phone")
    clock.now = fake_deps.cases.get(garbage).assignment.deadline_at + timedelta(hours=1)
    fresh = submit(fake_deps, GARBAGE.format(20), municipality="nevsky")
    deadlines.check_deadlines(fake_deps)
    assert [fake_deps.cases.get(c).overdue for c in (october, garbage, road, fresh)] == [True, True, False, False]
    return {"october": october, "garbage": garbage, "road": road, "fresh": fresh}


def found(client, deps, query):
    return {c["id"] for c in get(client, deps, "operator", f"/v1/admin/cases?{query}")["cases"]}


@pytest.mark.parametrize(("query", "expected"), [
    ("sector=roads", {"road"}),
    ("sector=waste", {"october", "garbage", "fresh"}),
    ("executor=adm_nevsky", {"garbage", "fresh"}),
    ("municipality=kirovsky", {"october"}),
    ("source=phone", {"road"}),
    ("overdue=true&municipality=nevsky", {"garbage"}),
    ("overdue=false&sector=waste", {"fresh"}),
    ("to=2026-10-31", {"october"}),
    ("from=2026-11-01", {"garbage", "road", "fresh"}),
    ("from=2026-10-01&to=2026-10-31&sector=waste", {"october"}),
])
def test_each_case_search_filter_narrows_the_list(client, fake_deps, cases, query, expected):
    assert found(client, fake_deps, query) == {cases[name] for name in expected}


def test_the_category_filter_finds_the_category_s_cases(client, fake_deps, cases):
    category = fake_deps.cases.get(cases["road"]).classification.category
    assert found(client, fake_deps, f"category={category}") == {cases["road"]}


def test_the_cursor_walks_every_case_once(client, fake_deps, cases):
    seen, cursor = [], ""
    for _ in range(10):
        page = get(client, fake_deps, "operator", f"/v1/admin/cases?from=2026-10-01&limit=1{cursor}")
        seen += [c["id"] for c in page["cases"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert sorted(seen) == sorted(cases.values())


@pytest.mark.parametrize("state", [{"i": "by_month", "v": "2026-11", "c": None, "skip": "x"},
                                   {"i": "by_month", "v": 5, "c": None}, ["by_month"], {"i": "everything"}])
def test_a_forged_cursor_is_a_field_error(client, fake_deps, state):
    cursor = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
    response = client.http.get(f"/v1/admin/cases?cursor={cursor}", headers=session(fake_deps, "operator"))
    assert response.status_code == 422 and response.json_body["fields"][0]["field"] == "cursor"
