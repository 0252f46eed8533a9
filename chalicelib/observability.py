"""Structured JSON logs carrying the case id and the correlation id across every queue hop.

Never log residents' text or contact data: only ids, statuses and technical facts.
"""

from __future__ import annotations

import json
import logging
import sys
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
        if record.exc_info:
            entry["error"] = repr(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False, default=str)


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
