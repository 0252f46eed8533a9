"""Hostile input: schemathesis generates requests from the OpenAPI document (valid and invalid
bodies, queries, path parameters and headers) and sends them to the app in-process, on fakes. No
request may cause a 500, every response must match the document, and every 4xx the app gives has the
JSON error shape with `fields` (tests/fuzzing.py). tests/e2e/test_api_fuzz_http.py does the same over
HTTP against `tsur local`, with fewer examples."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import schemathesis
from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException
from hypothesis import HealthCheck, settings

from app import app
from chalicelib.api.openapi import build_document
from tests.fuzzing import check_reply

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class ChaliceWsgi:
    """Chalice's own local API Gateway emulation, seen as a WSGI app (what schemathesis can call)."""

    def __init__(self) -> None:
        self.gateway = LocalGateway(app, Config(chalice_stage="test"))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = quote(environ["PATH_INFO"].encode("latin-1"), safe="/%:@!$&'()*+,;=-._~")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            reply = self.gateway.handle_request(environ["REQUEST_METHOD"], path, headers, body)
        except LocalGatewayException as exc:  # API Gateway's own answer: no such route
            start_response(f"{exc.CODE} Gateway", [(k, str(v)) for k, v in exc.headers.items()])
            return [exc.body or b""]
        start_response(f"{reply['statusCode']} Reply", [(k, str(v)) for k, v in reply["headers"].items()])
        body = reply.get("body") or b""
        return [body.encode("utf-8") if isinstance(body, str) else body]


def _schema() -> Any:
    """The document GET /v1/openapi.json serves (test_openapi_contract checks they are the same)."""
    loaded = schemathesis.openapi.from_dict(build_document(app.routes))
    loaded.app = ChaliceWsgi()
    return loaded


schema = _schema()


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_client_error_has_the_error_shape(case, fake_deps):
    check_reply(case, case.call())
