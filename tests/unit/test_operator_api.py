"""The operators' API: sign-in, and every role boundary enforced by the API (403/404, nothing changed)."""

import json
from dataclasses import replace

import pytest

from chalicelib.domain.statuses import Status
from tests.unit.operators import PASSWORD, login, submit
from tests.unit.test_pipeline import drain


@pytest.fixture
def client(admin_client):
    return admin_client


@pytest.fixture
def garbage_nevsky(fake_deps):
    return submit(fake_deps, "Во дворе дома 12 не вывозят мусор, контейнеры переполнены", municipality="nevsky")


@pytest.fixture
def vague(fake_deps):
    return submit(fake_deps, "Прошу разобраться с ситуацией около дома номер семь", municipality="kirovsky")


def test_sign_in_needs_the_right_password_and_the_api_needs_a_valid_session(client):
    bad = client.http.post("/v1/auth/login", headers={"Content-Type": "application/json"},
                           body=json.dumps({"username": "operator", "password": "guess"}))
    assert bad.status_code == 401
    assert client.http.get("/v1/admin/cases").status_code == 401
    forged = {"Authorization": "Bearer eyJ1c2VybmFtZSI6Im9wZXJhdG9yIiwicm9sZSI6InJlZ2lvbl9vcGVyYXRvciJ9.x"}
    assert client.http.get("/v1/admin/cases", headers=forged).status_code == 401
    me = client.http.get("/v1/admin/me", headers=login(client, "nevsky")).json_body
    assert (me["role"], me["municipality"]) == ("municipal_operator", "nevsky")


def test_a_municipal_operator_sees_only_its_municipality(client, fake_deps, garbage_nevsky, vague):
    nevsky, kirovsky = login(client, "nevsky"), login(client, "kirovsky")
    listed = client.http.get("/v1/admin/cases", headers=nevsky).json_body["cases"]
    assert [c["id"] for c in listed] == [garbage_nevsky]
    assert client.http.get(f"/v1/admin/cases/{garbage_nevsky}", headers=kirovsky).status_code == 404
    response = client.http.post(f"/v1/admin/cases/{garbage_nevsky}/close", headers=kirovsky,
                                body=json.dumps({"reason": "чужое"}))
    assert response.status_code == 404
    assert fake_deps.cases.get(garbage_nevsky).status is Status.ASSIGNED


def test_a_sector_curator_sees_only_its_sectors(client, fake_deps, garbage_nevsky):
    roads = login(client, "roads")
    assert client.http.get("/v1/admin/cases", headers=roads).json_body["cases"] == []
    assert client.http.get(f"/v1/admin/cases/{garbage_nevsky}", headers=roads).status_code == 404


def test_an_executor_reads_its_own_cases_and_changes_nothing(client, fake_deps, garbage_nevsky, vague):
    executor = login(client, "adm_nevsky")
    assert [c["id"] for c in client.http.get("/v1/admin/cases?status=assigned", headers=executor
                                             ).json_body["cases"]] == [garbage_nevsky]
    assert client.http.get(f"/v1/admin/cases/{vague}", headers=executor).status_code == 404
    response = client.http.post(f"/v1/admin/cases/{garbage_nevsky}/reassign", headers=executor,
                                body=json.dumps({"executor_id": "adm_kirovsky", "reason": "x"}))
    assert response.status_code == 403
    assert fake_deps.cases.get(garbage_nevsky).executor_id == "adm_nevsky"


def test_a_head_sees_dashboards_only(client, fake_deps, garbage_nevsky):
    head = login(client, "governor")
    assert client.http.get("/v1/admin/board", headers=head).status_code == 200
    assert client.http.get("/v1/admin/cases", headers=head).status_code == 403
    assert client.http.get(f"/v1/admin/cases/{garbage_nevsky}", headers=head).status_code == 403
    assert client.http.get("/v1/admin/dlq", headers=head).status_code == 403


def test_only_region_operators_handle_dead_letters_and_deliveries(client):
    assert client.http.get("/v1/admin/dlq", headers=login(client, "nevsky")).status_code == 403
    assert client.http.get("/v1/admin/deliveries", headers=login(client, "operator")).status_code == 200


def test_moderation_change_category_assigns_and_keeps_a_training_example(client, fake_deps, vague):
    operator = login(client, "operator")
    queue = client.http.get("/v1/admin/moderation", headers=operator).json_body["cases"]
    assert [c["id"] for c in queue] == [vague] and queue[0]["moderation_reason"]
    bad = client.http.post(f"/v1/admin/cases/{vague}/category", headers=operator,
                           body=json.dumps({"category": "no.such"}))
    assert bad.status_code == 422 and bad.json_body["fields"][0]["field"] == "category"
    client.http.post(f"/v1/admin/cases/{vague}/category", headers=operator,
                     body=json.dumps({"category": "landscaping.yard"}))
    drain(fake_deps)
    case = fake_deps.cases.get(vague)
    assert case.status is Status.ASSIGNED and case.executor_id == "adm_kirovsky"
    example, = fake_deps.training.all()
    assert (example.case_id, example.category, example.actor) == (vague, "landscaping.yard", "operator:operator")


def test_reject_and_clarify_from_moderation(client, fake_deps, vague):
    operator = login(client, "operator")
    asked = client.http.post(f"/v1/admin/cases/{vague}/clarify", headers=operator,
                             body=json.dumps({"question": "Уточните адрес"}))
    assert asked.json_body["status"] == "clarification"
    other = submit(fake_deps, "тест")
    rejected = client.http.post(f"/v1/admin/cases/{other}/reject", headers=operator,
                                body=json.dumps({"reason": "Тестовое сообщение"}))
    assert rejected.json_body["status"] == "rejected"


def test_the_heat_map_reads_the_counters(client, fake_deps):
    for n in range(3):
        submit(fake_deps, f"На дороге у дома {n} огромная яма, повреждено покрытие", municipality="kronshtadtsky")
    head = login(client, "governor")
    body = client.http.get("/v1/admin/heatmap?sector=roads&threshold=0.05", headers=head).json_body
    kronshtadt = next(d for d in body["districts"] if d["id"] == "kronshtadtsky")
    assert kronshtadt["count"] == 3 and kronshtadt["red"]
    assert not next(d for d in body["districts"] if d["id"] == "nevsky")["red"]
    board = client.http.get("/v1/admin/board", headers=head).json_body["executors"]
    assert sum(row["open"] for row in board) == 3


def test_a_region_operator_issues_lists_and_revokes_an_executor_s_api_key(client, fake_deps, garbage_nevsky):
    operator = login(client, "operator")
    issued = client.http.post("/v1/admin/executors/adm_nevsky/keys", headers=operator,
                              body=json.dumps({"label": "учётная система района"}))
    assert issued.status_code == 201
    key, key_id = issued.json_body["key"], issued.json_body["key_id"]
    executor = {"Authorization": f"Bearer {key}"}
    assert client.http.get(f"/v1/executor/cases/{garbage_nevsky}", headers=executor).status_code == 200

    listed = client.http.get("/v1/admin/executors/adm_nevsky/keys", headers=operator)
    assert [(k["key_id"], k["label"], k["active"]) for k in listed.json_body["keys"]] == [
        (key_id, "учётная система района", True)]
    stored_hash = fake_deps.api_keys.get(key_id).key_hash
    assert key not in listed.body.decode() and stored_hash not in listed.body.decode()

    revoked = client.http.post(f"/v1/admin/executors/adm_nevsky/keys/{key_id}/revoke", headers=operator)
    assert revoked.status_code == 200 and revoked.json_body["revoked_at"]
    assert client.http.get(f"/v1/executor/cases/{garbage_nevsky}", headers=executor).status_code == 401
    again = client.http.post(f"/v1/admin/executors/adm_nevsky/keys/{key_id}/revoke", headers=operator)
    assert again.status_code == 409 and again.json_body["message"] == "Ключ уже отозван"


def test_executor_keys_are_for_region_operators_and_known_executors_only(client, fake_deps):
    for username in ("nevsky", "roads", "adm_nevsky", "governor"):
        headers = login(client, username)
        assert client.http.post("/v1/admin/executors/adm_nevsky/keys", headers=headers,
                                body="{}").status_code == 403
        assert client.http.get("/v1/admin/executors/adm_nevsky/keys", headers=headers).status_code == 403
    assert fake_deps.api_keys.of_executor("adm_nevsky") == []
    operator = login(client, "operator")
    unknown = client.http.post("/v1/admin/executors/adm_atlantis/keys", headers=operator, body="{}")
    assert unknown.status_code == 404 and unknown.json_body["message"] == "Исполнитель не найден"
    assert client.http.get("/v1/admin/executors/adm_atlantis/keys", headers=operator).status_code == 404
    kirovsky_key = client.http.post("/v1/admin/executors/adm_kirovsky/keys", headers=operator,
                                    body="{}").json_body["key_id"]
    wrong_owner = client.http.post(f"/v1/admin/executors/adm_nevsky/keys/{kirovsky_key}/revoke", headers=operator)
    assert wrong_owner.status_code == 404 and fake_deps.api_keys.get(kirovsky_key).active


def test_a_region_operator_replays_a_parked_delivery_over_http(client, fake_deps):
    from chalicelib.domain.delivery import RetrySchedule

    fake_deps.webhooks.status, fake_deps.retry_schedule = 500, RetrySchedule(delays=())  # one attempt, then parked
    case_id = submit(fake_deps, "Во дворе дома 8 не вывозят мусор, контейнеры переполнены", municipality="nevsky")
    parked, = [d for d in fake_deps.deliveries.of_case(case_id) if d.status.value == "parked"]
    path = f"/v1/admin/deliveries/{parked.id}/replay"
    assert client.http.post(path, headers=login(client, "nevsky"), body="{}").status_code == 403
    assert fake_deps.deliveries.get(case_id, parked.id).status.value == "parked"
    operator = login(client, "operator")
    replayed = client.http.post(path, headers=operator, body="{}")
    assert replayed.status_code == 200
    assert (replayed.json_body["webhook_id"], replayed.json_body["status"]) == (parked.id, "pending")
    fake_deps.webhooks.status = 204
    drain(fake_deps)
    assert fake_deps.deliveries.get(case_id, parked.id).status.value == "delivered"
    assert {h["webhook-id"] for _, h, _ in fake_deps.webhooks.requests} == {parked.id}  # the same id again
    again = client.http.post(path, headers=operator, body="{}")
    assert again.status_code == 409 and again.json_body["error"] == "not_replayable"
    assert client.http.post("/v1/admin/deliveries/msg_c_nope_1/replay", headers=operator,
                            body="{}").status_code == 404


ADMIN_SITE, WIDGET_SITE = "https://d111.cloudfront.net", "https://gov.example.ru"


@pytest.fixture
def origins(fake_deps):
    fake_deps.settings = replace(fake_deps.settings, admin_origins=(ADMIN_SITE,), cors_origins=(WIDGET_SITE,))


@pytest.mark.parametrize("path", ["/v1/admin/cases", "/v1/admin/cases/c_1/reassign", "/v1/auth/login",
                                  "/v1/admin/dlq/notify/redrive", "/v1/admin/deliveries/msg_1/replay"])
def test_the_admin_pages_origin_may_preflight_the_operators_api_with_a_bearer_token(client, origins, path):
    preflight = client.http.request("OPTIONS", path, headers={
        "Origin": ADMIN_SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == ADMIN_SITE
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    for foreign in (WIDGET_SITE, "https://evil.example"):
        refused = client.http.request("OPTIONS", path, headers={"Origin": foreign})
        assert not {h for h in refused.headers if h.lower().startswith("access-control-")}, foreign


def test_real_requests_from_the_admin_origin_can_be_read_and_others_cannot(client, origins):
    headers = {**login(client, "operator"), "Origin": ADMIN_SITE}
    listed = client.http.get("/v1/admin/cases", headers=headers)
    assert listed.status_code == 200 and listed.headers["Access-Control-Allow-Origin"] == ADMIN_SITE
    signed_in = client.http.post("/v1/auth/login", headers={"Content-Type": "application/json", "Origin": ADMIN_SITE},
                                 body=json.dumps({"username": "operator", "password": PASSWORD}))
    assert signed_in.headers["Access-Control-Allow-Origin"] == ADMIN_SITE
    widget = client.http.get("/v1/admin/cases", headers={**headers, "Origin": WIDGET_SITE})
    assert "Access-Control-Allow-Origin" not in widget.headers  # the widget's sites never read operators' data
    public = client.http.get("/v1/sectors", headers={"Origin": ADMIN_SITE})
    assert "Access-Control-Allow-Origin" not in public.headers  # each list opens its own paths only
    assert client.http.get("/v1/sectors", headers={"Origin": WIDGET_SITE}).headers[
        "Access-Control-Allow-Origin"] == WIDGET_SITE


ROAD = "На дороге у дома {n} огромная яма, повреждено покрытие"


@pytest.fixture
def two_districts(fake_deps):
    """Road appeals in Kronshtadt and Kirovsky, a garbage appeal in Nevsky, all overdue 40 days later."""
    for n in range(3):
        submit(fake_deps, ROAD.format(n=n), municipality="kronshtadtsky")
    submit(fake_deps, ROAD.format(n=9), municipality="kirovsky")
    late = submit(fake_deps, "Во дворе дома 12 не вывозят мусор, контейнеры переполнены", municipality="nevsky")
    fake_deps.clock.advance(days=40)
    from chalicelib.services import deadlines

    deadlines.check_deadlines(fake_deps)
    assert fake_deps.cases.get(late).overdue


def board(client, user):
    return {row["id"]: row for row in client.http.get("/v1/admin/board", headers=login(client, user)
                                                      ).json_body["executors"]}


def test_the_board_counts_only_the_users_district_or_sectors(client, fake_deps, two_districts):
    region = board(client, "operator")
    assert sum(r["open"] for r in region.values()) == 5 and sum(r["overdue"] for r in region.values()) == 5
    nevsky = board(client, "nevsky")
    assert {i: (r["open"], r["overdue"]) for i, r in nevsky.items() if r["open"]} == {"adm_nevsky": (1, 1)}
    kirovsky = board(client, "kirovsky")
    assert sum(r["open"] for r in kirovsky.values()) == 1 and "adm_nevsky" not in kirovsky
    assert "adm_kirovsky" in kirovsky  # the district's own administration, even at zero
    roads = board(client, "roads")
    assert sum(r["overdue"] for r in roads.values()) == 4 and "adm_nevsky" not in roads


def test_the_heat_map_shows_a_municipal_operator_its_district_and_a_curator_its_sectors(client, two_districts):
    def heatmap(user, query=""):
        return client.http.get(f"/v1/admin/heatmap{query}", headers=login(client, user))

    nevsky = heatmap("nevsky", "?sector=roads&from=2026-11-01").json_body["districts"]
    assert [d["id"] for d in nevsky] == ["nevsky"]
    everything = heatmap("operator", "?sector=roads&from=2026-11-01").json_body["districts"]
    assert {d["id"]: d["count"] for d in everything if d["count"]} == {"kronshtadtsky": 3, "kirovsky": 1}
    curator = heatmap("roads").json_body
    assert curator["sector"] == "roads" and len(curator["districts"]) == len(everything)
    assert heatmap("roads", "?sector=housing_utilities").status_code == 403
    assert heatmap("landscaping").json_body["sector"] == "landscaping"


def test_publishing_or_returning_in_the_wrong_status_is_a_conflict_named_in_russian(client, fake_deps, garbage_nevsky):
    operator = login(client, "operator")
    published = client.http.post(f"/v1/admin/cases/{garbage_nevsky}/publish", headers=operator)
    returned = client.http.post(f"/v1/admin/cases/{garbage_nevsky}/return", headers=operator,
                                body=json.dumps({"reason": "нет фото"}))
    for response in (published, returned):
        assert response.status_code == 409
        assert response.json_body["message"] == "Действие недоступно в статусе «Назначено исполнителю»"
    assert fake_deps.cases.get(garbage_nevsky).status is Status.ASSIGNED
