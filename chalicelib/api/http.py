"""Small helpers for Chalice routes: parse a JSON body into a model, turn errors into responses."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from chalice import Response
from pydantic import BaseModel, ValidationError

from chalicelib.api.errors import ApiError, bad_json, validation_failed

M = TypeVar("M", bound=BaseModel)
MAX_BODY_BYTES = 64 * 1024


def parse_body(raw: str | bytes | None, model: type[M]) -> M:
    if raw and len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"Тело запроса больше {MAX_BODY_BYTES // 1024} КБ",
                       [{"field": "body", "message": "Слишком большой запрос"}])
    try:
        data = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise bad_json() from None
    except RecursionError:  # a few KB of `[[[[…` nest deeper than the parser's stack
        raise bad_json("Слишком глубокая вложенность JSON") from None
    if not isinstance(data, dict):
        raise bad_json()
    return _validate(data, model)


def parse_query(params: Mapping[str, str] | None, model: type[M]) -> M:
    return _validate(dict(params or {}), model)


def parse_headers(headers: Mapping[str, str], model: type[M]) -> M:
    """The headers `model` names by their aliases (`Idempotency-Key`); HTTP header names ignore case."""
    given = {name.lower(): value for name, value in headers.items()}
    names = [field.alias or name for name, field in model.model_fields.items()]
    return _validate({name: given[name.lower()] for name in names if name.lower() in given}, model)


def _validate(data: dict[str, Any], model: type[M]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc) from None


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False),
                    headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
                    status_code=status)


def text_response(body: str, status: int = 200) -> Response:
    """A plain-text answer (what VK's Callback API expects: the confirmation code, or `ok`)."""
    return Response(body=body, headers={"Content-Type": "text/plain; charset=utf-8"}, status_code=status)


def api_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    """Client errors become their 4xx JSON answers; anything else stays a (logged) 500."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except ApiError as exc:
            return json_response(exc.body(), exc.status)

    return wrapper


MAX_PATH_ID = 200  # case ids are 20 characters, webhook ids about 40; DynamoDB keys hold at most 2048 bytes


def ids_fit(uri_params: Mapping[str, str] | None) -> bool:
    """False when a path parameter is too long to name anything: answered 404 before any lookup."""
    return all(len(value) <= MAX_PATH_ID for value in (uri_params or {}).values())


def not_found() -> Response:
    return json_response({"error": "not_found", "message": "Обращение не найдено", "fields": []}, 404)


_FRAMEWORK_ERRORS = {
    405: ("method_not_allowed", "Метод не поддерживается по этому адресу", "method"),
    415: ("unsupported_media_type", "Тело запроса должно быть JSON (Content-Type: application/json)",
          "content-type"),
}


def framework_error(response: Response) -> Response:
    """Chalice's own 4xx answers (`{"Code", "Message"}`: a wrong method or media type) in the API's
    error shape, so every client error reads the same."""
    body = response.body
    if not (400 <= response.status_code < 500 and isinstance(body, dict) and "Code" in body):
        return response
    code, message, field = _FRAMEWORK_ERRORS.get(response.status_code, ("bad_request", "Некорректный запрос",
                                                                        "request"))
    headers = {k: str(v) for k, v in response.headers.items() if k.lower() != "content-type"}
    return json_response({"error": code, "message": message, "fields": [{"field": field, "message": message}]},
                         response.status_code, headers)
