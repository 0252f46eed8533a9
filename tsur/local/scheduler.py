"""Runs an `@app.schedule` handler every N seconds, with the event EventBridge would send."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from tsur.local.runtime import LOCAL_ACCOUNT_ID, LOCAL_REGION, lambda_context, log
from tsur.local.sqs_poller import Handler

FIRST_RUN_DELAY_S = 1.0


def scheduled_event(rule_name: str, region: str = LOCAL_REGION) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{LOCAL_ACCOUNT_ID}:rule/{rule_name}"],
        "detail": {},
    }


class ScheduleRunner:
    """Calls `handler` shortly after start, then every `interval_s`; a failing run is logged and skipped."""

    def __init__(self, name: str, handler: Handler, interval_s: float,
                 first_delay_s: float = FIRST_RUN_DELAY_S) -> None:
        self.name = name
        self._handler = handler
        self._interval_s = interval_s
        self._first_delay_s = min(first_delay_s, interval_s)
        self.runs = 0

    def run_once(self) -> Any:
        self.runs += 1
        try:
            return self._handler(scheduled_event(self.name), lambda_context(self.name))
        except Exception:
            log.exception("scheduled %s failed", self.name)
            return None

    def run(self, stop: threading.Event) -> None:
        delay = self._first_delay_s
        while not stop.wait(delay):
            self.run_once()
            delay = self._interval_s
