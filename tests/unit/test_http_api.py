"""The HTTP contract through Chalice's test client, with the services on in-memory fakes."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.consent import CONSENT_REQUIRED, CONSENT_TEXT, CONSENT_VERSION

WIDGET = Path(__file__).resolve().parents[2] / "web" / "widget" / "tsur-widget.js"
GOOD = {"text": "Во дворе дома 5 не вывозят мусор, контейнеры переполнены", "municipality": "nevsky"}


@pytest.fixture
def client(fake_deps):
    with Client(app) as test_client:
        yield test_client


def post(client, body, headers=None):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.http.post("/v1/appeals", body=raw,
                            headers={"Content-Type": "application/json", **(headers or {})})


def test_health(client):
    assert client.http.get("/health").status_code == 200


def test_the_widget_gets_sectors_and_municipalities_in_russian(client):
    sectors = client.http.get("/v1/sectors").json_body["sectors"]
    assert {"id": "roads", "name": "Дороги"} in sectors and len(sectors) == 18
    municipalities = client.http.get("/v1/municipalities").json_body["municipalities"]
    assert {"id": "nevsky", "name": "Невский район"} in municipalities


def test_an_accepted_appeal_answers_202_with_a_tracking_token(client, fake_deps):
    response = post(client, GOOD)
    assert response.status_code == 202
    body = response.json_body
    assert set(body) == {"id", "token", "status", "status_url"}
    assert body["status"] == "received"
    assert body["status_url"] == f"http://tsur.test/v1/appeals/{body['id']}"
    tracked = client.http.get(f"/v1/appeals/{body['id']}", headers={"X-Tracking-Token": body["token"]})
    assert tracked.status_code == 200 and tracked.json_body["status"] == "received"
    by_query = client.http.get(f"/v1/appeals/{body['id']}?token={body['token']}")
    assert by_query.status_code == 200


def test_without_the_right_token_the_case_does_not_exist(client):
    accepted = post(client, GOOD).json_body
    for headers in ({}, {"X-Tracking-Token": "guess"}):
        response = client.http.get(f"/v1/appeals/{accepted['id']}", headers=headers)
        assert response.status_code == 404
    assert client.http.get("/v1/appeals/c_nonexistent", headers={"X-Tracking-Token": "x"}).status_code == 404


def test_a_retried_submission_with_the_same_idempotency_key_is_one_case(client, fake_deps):
    first = post(client, GOOD, {"Idempotency-Key": "abc"}).json_body
    second = post(client, GOOD, {"Idempotency-Key": "abc"})
    assert second.status_code == 202 and second.json_body == first
    assert len(fake_deps.queue.sent) == 1


@pytest.mark.parametrize(("body", "status", "field", "message"), [
    ("{not json", 400, "body", "Некорректный JSON"),
    ("[1, 2]", 400, "body", "Некорректный JSON"),
    ({}, 422, "text", "Обязательное поле"),
    ({"text": "   "}, 422, "text", "Поле не может быть пустым"),
    ({"text": "я" * 5001}, 422, "text", "Не длиннее 5000 символов"),
    ({**GOOD, "priority": "high"}, 422, "priority", "Неизвестное поле"),
    ({**GOOD, "text": 42}, 422, "text", "Ожидается строка"),
    ({**GOOD, "lat": "59.9", "lon": 30.3}, 422, "lat", "Ожидается число"),
    ({**GOOD, "lat": 95.0, "lon": 30.3}, 422, "lat", "Значение вне допустимого диапазона"),
    ({**GOOD, "lat": 59.9}, 422, "lon", "Укажите обе координаты: широту и долготу"),
    ({**GOOD, "sector": "weather"}, 422, "sector", "Неизвестный сектор"),
    ({**GOOD, "municipality": "atlantis"}, 422, "municipality", "Неизвестное муниципальное образование"),
    ({**GOOD, "contact": {"email": "not-an-email"}, "consent": True}, 422, "contact.email", "Неверный формат"),
    ({**GOOD, "contact": {"phone": "+7 921 000-00-00"}}, 422, "consent", CONSENT_REQUIRED),
    ({**GOOD, "contact": {"name": "Анна"}, "consent": False}, 422, "consent", CONSENT_REQUIRED),
    ({**GOOD, "consent": "да"}, 422, "consent", "Ожидается true или false"),
    ({**GOOD, "source": "pigeon"}, 422, "source", None),
    ({**GOOD, "attachments": ["../../etc/passwd "]}, 422, "attachments.0", None),
    ({"text": "я" * 70_000}, 413, "body", "Слишком большой запрос"),
])
def test_bad_input_gets_a_field_level_4xx_and_nothing_is_stored(client, fake_deps, body, status, field, message):
    response = post(client, body)
    assert response.status_code == status
    errors = {e["field"]: e["message"] for e in response.json_body["fields"]}
    assert field in errors
    if message:
        assert errors[field] == message
    assert fake_deps.queue.sent == []
    stored = fake_deps.cases.waiting_since("intake", fake_deps.clock() + timedelta(seconds=1))
    assert stored == [], "a case accepted now would wait for intake"


def test_the_nothing_stored_check_would_see_a_stored_case(client, fake_deps):
    assert post(client, GOOD).status_code == 202
    assert len(fake_deps.cases.waiting_since("intake", fake_deps.clock() + timedelta(seconds=1))) == 1


def test_errors_never_leak_a_stack_trace(client):
    text = post(client, "{not json").body.decode()
    assert "Traceback" not in text and "File " not in text


def test_cors_allows_the_configured_origins_only(client, fake_deps):
    from dataclasses import replace

    fake_deps.settings = replace(fake_deps.settings, cors_origins=("https://gov.example.ru",))
    allowed = client.http.get("/v1/sectors", headers={"Origin": "https://gov.example.ru"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://gov.example.ru"
    other = client.http.get("/v1/sectors", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.http.request("OPTIONS", "/v1/appeals/c_1/rating", headers={"Origin": "https://gov.example.ru"})
    assert preflight.status_code == 204
    assert "X-Tracking-Token" in preflight.headers["Access-Control-Allow-Headers"]


UPLOAD = {"filename": "люк у дома.PNG", "content_type": "image/png", "size": 120_000}
UNGUESSABLE = "uploads/0123456789abcdef0123456789abcdef/"


def presigned_key(client):
    response = client.http.post("/v1/uploads", body=json.dumps(UPLOAD), headers={"Content-Type": "application/json"})
    assert response.status_code == 201
    return response.json_body["key"]


def test_an_upload_gets_an_unguessable_key_of_its_own(client):
    first, second = presigned_key(client), presigned_key(client)
    assert re.fullmatch(r"uploads/[0-9a-f]{32}/lyuk_u_doma\.png", first) and first != second


@pytest.mark.parametrize("key", [
    "cases/c_other/0123456789abcdef0123456789abcdef/photo.jpg",  # an executor's file of another case
    "admin/index.html",
    "uploads/someone-elses.jpg",  # no random part: someone else's name could be guessed
    UNGUESSABLE + "photo.exe",
    UNGUESSABLE + "../photo.jpg",
    "uploads/0123/photo.jpg",
])
def test_an_appeal_refers_only_to_keys_the_upload_endpoint_gives(client, fake_deps, key):
    fake_deps.storage.stored.add(key)  # even a file that exists
    response = post(client, {**GOOD, "attachments": [UNGUESSABLE + "ok.jpg", key]})
    assert response.status_code == 422
    field, = response.json_body["fields"]
    assert field["field"] == "attachments.1" and "/v1/uploads" in field["message"]
    assert fake_deps.queue.sent == []


def test_an_appeal_refers_only_to_files_that_were_uploaded_and_ten_at_most(client, fake_deps):
    key = presigned_key(client)
    missing = post(client, {**GOOD, "attachments": [key]})
    assert missing.status_code == 422
    assert missing.json_body["fields"] == [{"field": "attachments.0",
                                            "message": "Файл не загружен: загрузите его ещё раз"}]
    assert fake_deps.queue.sent == []
    fake_deps.storage.stored.add(key)  # the browser's POST to S3 finished
    accepted = post(client, {**GOOD, "attachments": [key]})
    assert accepted.status_code == 202
    assert fake_deps.cases.get(accepted.json_body["id"]).attachments == (key,)
    too_many = post(client, {**GOOD, "attachments": [key] * 11})
    assert too_many.status_code == 422 and too_many.json_body["fields"][0]["message"] == "Не больше 10 элементов"


def test_contact_data_comes_with_a_recorded_consent_to_the_current_text(client, fake_deps):
    body = {**GOOD, "contact": {"name": "Анна", "email": "anna@example.org"}, "consent": True}
    accepted = post(client, body).json_body
    case = fake_deps.cases.get(accepted["id"])
    assert (case.consent.at, case.consent.version) == (fake_deps.clock(), CONSENT_VERSION)
    anonymous = fake_deps.cases.get(post(client, {**GOOD, "contact": {}}).json_body["id"])
    assert anonymous.consent is None and anonymous.contact is not None  # nothing personal: nothing to agree to
    widget = WIDGET.read_text()
    assert CONSENT_TEXT in widget and "body.consent = true" in widget  # the text the version names


def test_the_openapi_document_describes_the_consent(client):
    schema = client.http.get("/v1/openapi.json").json_body["components"]["schemas"]["AppealIn"]
    assert schema["properties"]["consent"]["type"] == "boolean"
    assert "152-ФЗ" in schema["properties"]["consent"]["description"]


def _rings(path):
    return [[tuple(map(float, point.split())) for point in ring.split("L")] for ring in path[1:-1].split("ZM")]


@pytest.mark.parametrize(("lat", "lon", "district"), [(59.9037, 30.4736, "nevsky"), (59.9390, 30.3158, "tsentralny"),
                                                       (59.9930, 29.7700, "kronshtadtsky")])
def test_the_district_map_is_public_cacheable_and_draws_each_point_in_its_district(client, lat, lon, district):
    from chalicelib import reference
    from chalicelib.domain.geo import point_in_ring

    response = client.http.get("/v1/districts")
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    body = response.json_body
    assert {d["id"] for d in body["districts"]} == set(reference.region().municipalities)
    assert reference.territories().locate(lat, lon) == district
    p = body["projection"]
    x, y = (lon - p["lon0"]) * p["kx"], (p["lat0"] - lat) * p["ky"]  # what the pages compute
    assert 0 <= x <= body["width"] and 0 <= y <= body["height"]
    drawn = [d["id"] for d in body["districts"] if any(point_in_ring(x, y, ring) for ring in _rings(d["path"]))]
    assert drawn == [district]
