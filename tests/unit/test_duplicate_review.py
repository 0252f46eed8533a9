"""«Дубли на подтверждение»: linked duplicates in the moderation queue; confirm the link or unlink the case."""

import json

import pytest

from chalicelib.domain.statuses import Status
from tests.unit.operators import login, submit
from tests.unit.test_pipeline import drain

GARBAGE = "Во дворе дома 12 не вывозят мусор, контейнеры переполнены"
HOME = {"lat": 59.9390, "lon": 30.3158}  # Центральный район
NEAR = {"lat": 59.9399, "lon": 30.3158}  # 100 m north


@pytest.fixture
def pair(fake_deps):
    """An open case and a second report of it nearby, linked by the assign step."""
    main = submit(fake_deps, GARBAGE, **HOME)
    again = submit(fake_deps, "Опять не вывозят мусор у дома 12, баки переполнены", **NEAR)
    assert fake_deps.cases.get(again).status is Status.LINKED
    return main, again


def queue(client, user):
    return client.http.get("/v1/admin/moderation", headers=login(client, user)).json_body


def act(client, user, case_id, action, body=None):
    return client.http.post(f"/v1/admin/cases/{case_id}/{action}", headers=login(client, user),
                            body=json.dumps(body or {}))


def test_a_linked_duplicate_waits_in_moderation_with_the_open_case_it_follows(admin_client, pair):
    main, again = pair
    item, = queue(admin_client, "operator")["duplicates"]
    assert item["id"] == again and item["status"] == "linked"
    assert item["duplicate_of"]["id"] == main and item["duplicate_of"]["residents_affected"] == 2
    assert item["duplicate_of"]["text_preview"].startswith("Во дворе дома 12")
    assert 90 <= item["duplicate_of"]["distance_m"] <= 110
    assert item["municipality"] == "tsentralny"  # the district of its point, so its district's operator sees it
    assert [d["id"] for d in queue(admin_client, "tsentralny")["duplicates"]] == [again]
    assert queue(admin_client, "nevsky")["duplicates"] == []


def test_confirming_keeps_the_link_records_who_and_leaves_the_queue(admin_client, fake_deps, pair):
    main, again = pair
    response = act(admin_client, "tsentralny", again, "confirm-link")
    assert response.status_code == 200 and response.json_body["status"] == "linked"
    assert queue(admin_client, "operator")["duplicates"] == []
    event = fake_deps.cases.events(again)[-1]
    assert (event.kind, event.actor, event.data["main_case"]) == ("duplicate_confirmed", "operator:tsentralny", main)
    assert act(admin_client, "operator", again, "confirm-link").status_code == 409
    assert fake_deps.cases.get(main).residents_affected == 2


def test_unlinking_assigns_the_case_on_its_own_and_the_open_case_counts_one_resident_less(
        admin_client, fake_deps, pair):
    main, again = pair
    response = act(admin_client, "operator", again, "unlink", {"reason": "Другой двор: дом 12 корпус 2"})
    assert response.status_code == 200
    drain(fake_deps)
    case = fake_deps.cases.get(again)
    assert (case.status, case.duplicate_of, case.executor_id) == (Status.ASSIGNED, None, "adm_tsentralny")
    assert [d.event_type for d in fake_deps.deliveries.of_case(again)] == ["case.assigned"]  # its own webhook
    opened = fake_deps.cases.get(main)
    assert (opened.linked_cases, opened.residents_affected) == ((), 1)
    unlinked = next(e for e in fake_deps.cases.events(again) if e.kind == "duplicate_unlinked")
    assert (unlinked.actor, unlinked.reason, unlinked.public) == ("operator:operator", "Другой двор: дом 12 корпус 2",
                                                                  False)
    removed = fake_deps.cases.events(main)[-1]
    assert (removed.kind, removed.actor, removed.data["residents_affected"]) == ("duplicate_removed",
                                                                                 "operator:operator", 1)
    assert queue(admin_client, "operator")["duplicates"] == []
    assert act(admin_client, "operator", again, "unlink", {"reason": "ещё раз"}).status_code == 409


@pytest.mark.parametrize(("user", "status"), [("nevsky", 404), ("roads", 404), ("adm_nevsky", 403),
                                              ("governor", 403)])
def test_out_of_scope_or_read_only_users_neither_confirm_nor_unlink(admin_client, fake_deps, pair, user, status):
    main, again = pair
    before = (fake_deps.cases.get(again).version, fake_deps.cases.get(main).version, len(fake_deps.queue.sent))
    assert act(admin_client, user, again, "confirm-link").status_code == status
    assert act(admin_client, user, again, "unlink", {"reason": "не то"}).status_code == status
    after = (fake_deps.cases.get(again).version, fake_deps.cases.get(main).version, len(fake_deps.queue.sent))
    assert after == before
