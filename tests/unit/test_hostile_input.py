"""Input that used to give a 500: JSON nested thousands deep, keys longer than DynamoDB holds; and every
validation message in Russian, whatever pydantic error is behind it."""

from __future__ import annotations

import json
import re
import typing

import pytest
from chalice.test import Client
from pydantic_core import core_schema

from app import app
from chalicelib.api.errors import _message

GOOD = {"text": "Во дворе дома 5 не вывозят мусор, контейнеры переполнены", "municipality": "nevsky"}
DYNAMODB_KEY_LIMIT = 2048  # bytes of a partition key; DynamoDB refuses a request with a longer one


@pytest.fixture
def client(fake_deps):
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def dynamodb_key_limits(fake_deps, monkeypatch):
    """The fakes refuse over-long keys the way DynamoDB does (a ValidationException, so a 500)."""

    def refusing(original):
        def call(key, *args):
            if len(key.encode()) > DYNAMODB_KEY_LIMIT:
                raise RuntimeError("ValidationException: Size of hashkey has exceeded the maximum size limit")
            return original(key, *args)
        return call

    monkeypatch.setattr(fake_deps.idempotency, "begin", refusing(fake_deps.idempotency.begin))
    monkeypatch.setattr(fake_deps.cases, "get", refusing(fake_deps.cases.get))
    monkeypatch.setattr(fake_deps.api_keys, "get", refusing(fake_deps.api_keys.get))
    return fake_deps


def post(client, body, headers=None):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.http.post("/v1/appeals", body=raw, headers={"Content-Type": "application/json", **(headers or {})})


def test_json_nested_five_thousand_deep_is_a_400(client, fake_deps):
    body = "[" * 5000 + "]" * 5000  # 10 KB, under the size limit
    response = post(client, '{"text": ' + body + "}")
    assert response.status_code == 400
    assert response.json_body["fields"] == [{"field": "body", "message": "Слишком глубокая вложенность JSON"}]
    assert fake_deps.queue.sent == []


@pytest.mark.parametrize(("key", "message"), [
    ("k" * 5000, "Не длиннее 200 символов"),
    ("ключ", "Допустимы латинские буквы, цифры и знаки . _ : ~ + / = -, без пробелов"),
    ("a b", "Допустимы латинские буквы, цифры и знаки . _ : ~ + / = -, без пробелов"),
])
def test_a_bad_idempotency_key_is_a_422_on_its_header(client, dynamodb_key_limits, key, message):
    response = post(client, GOOD, {"Idempotency-Key": key})
    assert response.status_code == 422, response.json_body
    assert response.json_body["fields"] == [{"field": "Idempotency-Key", "message": message}]
    assert dynamodb_key_limits.queue.sent == []


def test_a_uuid_idempotency_key_is_taken(client, dynamodb_key_limits):
    key = "7f1e4c2a-0b8d-4a57-9d1e-3c2b1a0f9e8d"
    first, second = post(client, GOOD, {"Idempotency-Key": key}), post(client, GOOD, {"Idempotency-Key": key})
    assert first.status_code == second.status_code == 202 and first.json_body == second.json_body


def test_an_id_too_long_to_exist_is_not_found_without_a_lookup(client, dynamodb_key_limits):
    long_id = "c_" + "x" * 5000
    for path in (f"/v1/appeals/{long_id}", f"/v1/executor/cases/{long_id}"):
        response = client.http.get(path, headers={"X-Tracking-Token": "t"})
        assert response.status_code == 404, (path, response.json_body)
        assert set(response.json_body) == {"error", "message", "fields"}


def test_an_executor_key_with_an_over_long_id_is_a_401(client, dynamodb_key_limits):
    response = client.http.get("/v1/executor/cases", headers={"Authorization": "Bearer tsk_" + "a" * 5000 + "_s"})
    assert response.status_code == 401


CYRILLIC = re.compile("[А-Яа-яЁё]")


@pytest.mark.parametrize("kind", typing.get_args(core_schema.ErrorType))
def test_every_pydantic_error_type_has_a_russian_message(kind):
    english = "Input should be a valid something"
    message = _message({"type": kind, "msg": english, "ctx": {}, "loc": ("x",)})
    assert message != english and CYRILLIC.search(message), (kind, message)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/executor/cases?limit=abc", None, "limit"),
    ("/v1/executor/cases?limit=1.5", None, "limit"),
    ("/v1/executor/cases?limit=0", None, "limit"),
    ("/v1/executor/cases?surprise=1", None, "surprise"),
    ("/v1/appeals", '{"text": "\\ud800 во дворе яма"}', "text"),
    ("/v1/appeals", '{"text": 5}', "text"),
    ("/v1/appeals", '{"text": "яма", "lat": "north", "lon": 30}', "lat"),
    ("/v1/appeals", '{"text": "яма", "lat": 1e400, "lon": 30}', "lat"),
    ("/v1/appeals", '{"text": "яма", "contact": []}', "contact"),
    ("/v1/appeals", '{"text": "яма", "attachments": {}}', "attachments"),
    ("/v1/appeals", '{"text": "яма", "source": "pigeon"}', "source"),
    ("/v1/appeals", '{"text": "яма", "attachments": ' + json.dumps([f"uploads/{n}.png" for n in range(11)]) + "}",
     "attachments"),
    ("/v1/appeals/c_x/rating", '{"score": true}', "score"),
    ("/v1/auth/login", '{"username": "", "password": "x"}', "username"),
])
def test_validation_messages_from_real_requests_are_russian(client, fake_deps, path, body, field):
    headers = {"Authorization": "Bearer " + _executor_key(fake_deps), "X-Tracking-Token": "t",
               "Content-Type": "application/json"}
    response = client.http.get(path, headers=headers) if body is None else client.http.post(path, body=body,
                                                                                            headers=headers)
    assert response.status_code == 422, response.json_body
    messages = {f["field"]: f["message"] for f in response.json_body["fields"]}
    assert field in messages, messages
    assert all(CYRILLIC.search(m) for m in messages.values()), messages


def _executor_key(deps) -> str:
    from chalicelib.services.executor_keys import issue

    return issue(deps, next(iter(deps.executors))).plaintext
