"""The OpenAPI document: every route of the app is in it, it is a valid OpenAPI 3.1 document, it is
served at /openapi.json (and, as first, at /v1/openapi.json), and its request schemas are the models that
validate the requests."""

from __future__ import annotations

import pytest
from chalice.test import Client
from openapi_spec_validator import validate

from app import app
from chalicelib.api.openapi import OPENAPI_PATH, OPENAPI_V1_PATH, OPERATIONS, TAGS, build_document


@pytest.fixture(scope="module")
def document():
    return build_document(app.routes)


def test_every_route_of_the_app_is_in_the_document(document):
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            operation = document["paths"][path][method.lower()]
            assert operation["operationId"] == entry.view_name


def test_every_route_except_preflight_is_described_in_the_table():
    views = {entry.view_name for methods in app.routes.values() for entry in methods.values()}
    undescribed = {v for v in views if not v.startswith("preflight_")} - set(OPERATIONS)
    assert not undescribed, f"describe these routes in chalicelib/api/openapi.py OPERATIONS: {undescribed}"


def test_the_document_is_valid_openapi(document):
    validate(document)


@pytest.mark.parametrize("path", [OPENAPI_PATH, OPENAPI_V1_PATH])
def test_the_document_is_served_and_the_same(fake_deps, document, path):
    assert OPENAPI_PATH == "/openapi.json"
    with Client(app) as client:
        response = client.http.get(path)
    assert response.status_code == 200
    assert response.json_body == document


def test_every_operation_has_one_of_the_documents_tags(document):
    assert [t["name"] for t in document["tags"]] == list(TAGS)
    for path, item in document["paths"].items():
        for operation in item.values():
            assert len(operation["tags"]) == 1 and operation["tags"][0] in TAGS, (path, operation)
    assert document["paths"]["/v1/appeals"]["post"]["tags"] == ["Жители и виджет"]
    assert document["paths"]["/v1/executor/cases"]["get"]["tags"] == ["Исполнители"]


def test_the_idempotency_header_comes_from_its_model(document):
    (header,) = [p for p in document["paths"]["/v1/appeals"]["post"]["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and header["required"] is False
    assert header["schema"]["maxLength"] == 200 and header["schema"]["pattern"].startswith("^[A-Za-z0-9")


def test_request_bodies_come_from_the_validating_models(document):
    appeal = document["components"]["schemas"]["AppealIn"]
    assert appeal["required"] == ["text"] and appeal["additionalProperties"] is False
    assert appeal["properties"]["text"]["maxLength"] == 5000
    submit = document["paths"]["/v1/appeals"]["post"]
    assert submit["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AppealIn"}
    assert set(submit["responses"]) >= {"202", "400", "413", "422"}


def test_security_schemes_name_the_three_kinds_of_caller(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["trackingToken"]["name"] == "X-Tracking-Token"
    assert {schemes["executorKey"]["scheme"], schemes["operatorBearer"]["scheme"]} == {"bearer"}
    assert document["paths"]["/v1/executor/cases"]["get"]["security"] == [{"executorKey": []}]
    assert document["paths"]["/v1/admin/cases"]["get"]["security"] == [{"operatorBearer": []}]
    query = {p["name"] for p in document["paths"]["/v1/admin/cases"]["get"]["parameters"]}
    assert {"from", "status", "limit", "cursor"} <= query


def test_a_wrong_media_type_or_method_gets_the_api_error_shape(fake_deps):
    with Client(app) as client:
        wrong_type = client.http.post("/v1/appeals", body=b"text=1", headers={"Content-Type": "text/plain"})
        wrong_method = client.http.request("DELETE", "/v1/appeals")
    assert wrong_type.status_code == 415 and wrong_type.json_body["error"] == "unsupported_media_type"
    assert wrong_type.json_body["fields"] == [{"field": "content-type", "message": wrong_type.json_body["message"]}]
    assert wrong_method.status_code == 405 and wrong_method.json_body["error"] == "method_not_allowed"


def test_tsur_openapi_prints_the_same_document(document):
    import json
    import subprocess
    import sys
    from pathlib import Path

    tsur = str(Path(sys.executable).parent / "tsur")
    printed = json.loads(subprocess.run([tsur, "openapi"], capture_output=True, text=True, check=True,
                                        timeout=60).stdout)
    assert printed == json.loads(json.dumps(document))
