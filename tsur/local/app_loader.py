"""Wiring the Chalice app to the local stack: its environment, the import itself, its event sources."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalice import Chalice
from chalice.app import ScheduledEventConfig, SQSEventConfig

from chalicelib.settings import QUEUES
from tsur.local.scheduler import ScheduleRunner
from tsur.local.sqs_poller import SqsPoller

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT_ENV = {
    "CasesTableName": "CASES_TABLE",
    "IdempotencyTableName": "IDEMPOTENCY_TABLE",
    "AttachmentsBucketName": "ATTACHMENTS_BUCKET",
    **{f"{step.capitalize()}QueueUrl": f"{step.upper()}_QUEUE_URL" for step in QUEUES},
}


def app_environment(outputs: Mapping[str, str]) -> dict[str, str]:
    """The app's env vars from the stack Outputs; a missing Output is a broken template, so say which."""
    missing = sorted(key for key in OUTPUT_ENV if key not in outputs)
    if missing:
        raise RuntimeError(f"the local stack has no Outputs {missing}; check infra/template.json")
    return {env: outputs[key] for key, env in OUTPUT_ENV.items()}


def load_app(app_file: Path) -> Chalice:
    """Import `app_file` as the module `app` (Chalice's handler strings say `app.<name>`)."""
    root = str(app_file.resolve().parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    spec = importlib.util.spec_from_file_location("app", app_file)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {app_file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    app = getattr(module, "app", None)
    if not isinstance(app, Chalice):
        raise RuntimeError(f"{app_file} defines no Chalice object named `app`")
    return app


def _queue_name(source: SQSEventConfig) -> str:
    if source.queue:
        return source.queue
    return str(source.queue_arn).rsplit(":", 1)[-1]


def sqs_pollers(app: Chalice, sqs: Any, stage: str, wait_seconds: int = 1) -> list[SqsPoller]:
    pollers = []
    for source in app.event_sources:
        if isinstance(source, SQSEventConfig):
            url = sqs.get_queue_url(QueueName=_queue_name(source))["QueueUrl"]
            pollers.append(SqsPoller(sqs, url, app.handler_map[source.name], batch_size=source.batch_size,
                                     function_name=f"{app.app_name}-{stage}-{source.name}",
                                     wait_seconds=wait_seconds))
    return pollers


def schedule_runners(app: Chalice, stage: str, interval_s: float) -> list[ScheduleRunner]:
    return [ScheduleRunner(f"{app.app_name}-{stage}-{source.name}", app.handler_map[source.name], interval_s)
            for source in app.event_sources if isinstance(source, ScheduledEventConfig)]
