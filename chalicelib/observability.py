"""Structured JSON logs carrying the case id and the correlation id across every queue hop.

Never log residents' text or contact data: only ids, statuses and technical facts. An exception is
logged as its type, a message without the input it was raised over (`describe_error`) and where it was
raised; a request line as `safe_request_line` leaves it (secrets in the query masked, control
characters escaped).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# Not "tsur": Chalice(app_name="tsur") takes that logger over (its own plain handler, level ERROR).
LOGGER_NAME = "tsur.app"
_context: ContextVar[dict[str, str]] = ContextVar("tsur_log_context", default={})  # noqa: B039


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "msg": record.getMessage(), **_context.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            entry.update(describe_error(record.exc_info[1]))
        return json.dumps(entry, ensure_ascii=False, default=str)


MAX_ERROR_CHARS = 300


def describe_error(exc: BaseException) -> dict[str, Any]:
    """`error_type`, `error` and `error_at` (the innermost frames) of an exception, without input values.

    pydantic's ValidationError carries the values that failed (a resident's text, say): only where and
    which check failed is kept. AWS errors keep their code and operation, decoding errors their position.
    """
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return {"error_type": type(exc).__name__, "error": _error_message(exc),
            "error_at": [f"{'/'.join(f.filename.split('/')[-2:])}:{f.lineno} {f.name}" for f in frames]}


def _error_message(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors) and hasattr(exc, "error_count"):  # pydantic.ValidationError
        return f"{exc.error_count()} validation errors: " + "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(root)'} [{e['type']}]" for e in errors(include_input=False))
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:  # botocore ClientError
        return f"{response['Error'].get('Code')} in {getattr(exc, 'operation_name', '?')}"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at {exc.pos}"
    if isinstance(exc, UnicodeError):
        return f"{type(exc).__name__} at {getattr(exc, 'start', '?')}: {getattr(exc, 'reason', '')}"
    return escape_controls(str(exc))[:MAX_ERROR_CHARS]


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")
# Query parameters whose value is a secret: the resident's tracking token, keys, sign-in codes.
_SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:token|access_token|id_token|refresh_token|api_key|apikey|key|secret|password|signature|code"
    r"|authorization|auth|session)=)[^&;#\s\"]*")


def escape_controls(text: str) -> str:
    """Control characters (and backslashes) as escapes: a logged value can never start a new log line."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def safe_request_line(text: str) -> str:
    """A request line or URL for a log: secret query values masked, control characters escaped."""
    return escape_controls(_SECRET_QUERY.sub(r"\1***", text))


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is when a line is written (a test's capture, a redirected run)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def get_logger(name: str = LOGGER_NAME) -> logging.Logger:
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = StdoutHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def log(message: str, level: int = logging.INFO, exc_info: bool = False, **fields: Any) -> None:
    get_logger().log(level, message, exc_info=exc_info, extra={"fields": fields})


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Adds fields (case_id, correlation_id, step…) to every log line written inside the block."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)
