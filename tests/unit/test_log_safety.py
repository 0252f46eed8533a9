"""Personal data never reaches a log line, and nothing a client sends can forge one."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from botocore.exceptions import ClientError
from pydantic import ValidationError

from chalicelib.api.schemas import AppealIn
from chalicelib.observability import JsonFormatter, describe_error, safe_request_line
from tsur.local.api_server import SiteAwareRequestHandler

RESIDENT_TEXT = "Меня зовут Иванов Пётр, телефон +7 911 123-45-67, во дворе яма"
EMAIL = "petr.ivanov@example.ru"
TOKEN = "Zx9-secret-tracking-token"


def _formatted(exc: BaseException) -> dict:
    try:
        raise exc
    except BaseException:
        record = logging.LogRecord("tsur", logging.ERROR, __file__, 1, "record failed", None, sys.exc_info())
    return json.loads(JsonFormatter().format(record))


def _validation_error() -> ValidationError:
    try:
        AppealIn.model_validate({"text": RESIDENT_TEXT, "contact": {"email": EMAIL, "phone": "not a phone"},
                                 "lat": RESIDENT_TEXT})
    except ValidationError as exc:
        return exc
    raise AssertionError("the body should not validate")


def test_a_validation_error_is_logged_without_the_values_that_failed():
    exc = _validation_error()
    assert "Меня зовут Ив" in repr(exc) and "not a phone" in repr(exc)  # what used to be logged
    line = _formatted(exc)
    dumped = json.dumps(line, ensure_ascii=False)
    assert "Меня зовут Ив" not in dumped and "not a phone" not in dumped and EMAIL not in dumped
    assert line["error_type"] == "ValidationError"
    assert "contact.phone [string_pattern_mismatch]" in line["error"] and "lat [float_type]" in line["error"]
    assert any("unit/test_log_safety.py" in frame for frame in line["error_at"]), line["error_at"]


def test_an_aws_error_keeps_its_code_and_operation():
    exc = ClientError({"Error": {"Code": "ValidationException", "Message": f"bad value {RESIDENT_TEXT}"}},
                      "TransactWriteItems")
    line = _formatted(exc)
    assert line["error"] == "ValidationException in TransactWriteItems"
    assert RESIDENT_TEXT not in json.dumps(line, ensure_ascii=False)


@pytest.mark.parametrize("exc", [json.JSONDecodeError("Expecting value", RESIDENT_TEXT, 3),
                                 UnicodeDecodeError("utf-8", RESIDENT_TEXT.encode(), 1, 2, "invalid start byte")])
def test_decoding_errors_keep_the_position_not_the_document(exc):
    assert RESIDENT_TEXT not in describe_error(exc)["error"]


def test_other_errors_have_control_characters_escaped():
    described = describe_error(RuntimeError("line one\nFAKE {\"level\": \"INFO\"}\x1b[31m"))
    assert "\n" not in described["error"] and "\x1b" not in described["error"]
    assert described["error"].startswith("line one\\nFAKE")


@pytest.mark.parametrize(("line", "secret"), [
    (f'"GET /v1/appeals/c_1?token={TOKEN} HTTP/1.1" 200 -', TOKEN),
    (f'"GET /track/?id=c_1&token={TOKEN}&x=1 HTTP/1.1" 200 -', TOKEN),
    ('"GET /admin/?code=cognito-code-123 HTTP/1.1" 200 -', "cognito-code-123"),
    ('"GET /v1/x?api_key=tsk_abc_def&Authorization=Bearer%20x HTTP/1.1" 404 -', "tsk_abc_def"),
])
def test_request_lines_lose_their_secrets(line, secret):
    safe = safe_request_line(line)
    assert secret not in safe and "***" in safe
    assert safe.startswith('"GET /')


def test_the_local_access_log_masks_tokens_and_escapes_control_characters(caplog):
    caplog.set_level(logging.INFO, logger="tsur.local")
    request_line = f"GET /v1/appeals/c_1?token={TOKEN}\r\n2026-01-01 INFO forged\x1b[2J HTTP/1.1"
    SiteAwareRequestHandler.log_message(None, '"%s" %s %s', request_line, "200", "-")  # type: ignore[arg-type]
    (logged,) = [r.getMessage() for r in caplog.records]
    assert TOKEN not in logged and "token=***" in logged
    assert "\r" not in logged and "\n" not in logged and "\x1b" not in logged
    assert "\\r\\n2026-01-01 INFO forged\\x1b[2J" in logged
