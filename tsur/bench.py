"""`tsur bench …`: measurements that print figures (never part of the test run).

`tsur bench deadlines`: the deadline check's reads against the number of open cases. For each size,
a fresh table on moto (in-process, from infra/template.json) gets that many open, assigned cases
(batch writes) of which a fixed number are due; one check runs, and every item DynamoDB returns to
it is counted (Query: ScannedCount, the items the index read; GetItem and BatchGetItem: the items
returned). The last line is JSON: {"open": [...], "due": N, "items_read": [...]}.

One thing is changed in moto for the run: before each item of a TransactWriteItems it deep-copies the
whole table, to roll back on failure. At 100,000 cases that makes every case save take a minute; no
transaction fails here, so the bench skips that copy. Reads are counted from moto's own answers.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import UTC, datetime, timedelta
from typing import Any

import click

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STAGE = "bench"


@click.group()
def bench() -> None:
    """Замеры / benchmarks that print figures."""


@bench.command("deadlines")
@click.option("--open", "sizes", multiple=True, type=int, default=(1000, 100_000), show_default=True)
@click.option("--due", default=50, show_default=True, help="cases whose next deadline stage has come")
def bench_deadlines(sizes: tuple[int, ...], due: int) -> None:
    """Чтения проверки сроков при 1 000 и 100 000 открытых / the check's reads vs open cases."""
    reads = []
    with redirect_stdout(sys.stderr):  # only the figures on stdout: the app's JSON log lines go to stderr
        for size in sizes:
            reads.append(_run(size, due))
    click.echo(json.dumps({"open": list(sizes), "due": due, "items_read": reads}))


def _run(size: int, due: int) -> int:
    started = time.perf_counter()
    counted, summary = _measure(size, due)
    click.echo(f"open {size:>7}  due {due}  items read {counted:>5}  taken {summary}  "
               f"({time.perf_counter() - started:.0f} s with setup)", err=True)
    return counted


@contextmanager
def _moto() -> Iterator[None]:
    from moto import mock_aws

    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_DEFAULT_REGION")}
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="eu-central-1")
    try:
        with mock_aws():
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _measure(size: int, due: int) -> tuple[int, dict[str, int]]:
    import boto3

    from chalicelib.services.deadlines import check_deadlines

    with _moto(), _no_transaction_backup():
        deps = _deps(boto3)
        _fill(deps, size, due)
        read = [0]
        deps.cases._db.meta.events.register("after-call.dynamodb", _counter(read))  # type: ignore[attr-defined]
        deps.deliveries._db.meta.events.register("after-call.dynamodb", _counter(read))  # type: ignore[attr-defined]
        summary = check_deadlines(deps, batch=max(due * 2, 100))
        return read[0], {k: v for k, v in summary.items() if v}


@contextmanager
def _no_transaction_backup() -> Iterator[None]:
    import copy

    import moto.dynamodb.models as models

    class _Copy:
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, models.Table) else copy.deepcopy(value, memo)

    models.copy = _Copy  # type: ignore[assignment]
    try:
        yield
    finally:
        models.copy = copy  # type: ignore[assignment]


def _counter(read: list[int]) -> Any:
    def count(http_response: Any, parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
        if model.name == "Query":
            read[0] += int(parsed.get("ScannedCount", 0))
        elif model.name == "GetItem":
            read[0] += "Item" in parsed
        elif model.name == "BatchGetItem":
            read[0] += sum(len(items) for items in parsed.get("Responses", {}).values())
    return count


def _deps(boto3: Any) -> Any:
    from chalicelib.adapters.dynamo import DynamoCaseRepository, DynamoExecutorDirectory, DynamoIdempotencyStore
    from chalicelib.adapters.dynamo_deliveries import DynamoDeliveryRepository
    from chalicelib.adapters.memory import RecordingWebhookSender
    from chalicelib.adapters.sqs import SqsQueue
    from chalicelib.services.deps import Dependencies
    from chalicelib.settings import QUEUES, Settings
    from tsur.local.template import create_stack

    outputs = create_stack(boto3.client("cloudformation"), STAGE)
    table = outputs["CasesTableName"]
    settings = Settings(stage=STAGE, cases_table=table, idempotency_table=outputs["IdempotencyTableName"],
                        attachments_bucket=outputs["AttachmentsBucketName"],
                        queue_urls={s: outputs[f"{s.capitalize()}QueueUrl"] for s in QUEUES})
    clock = [START]
    return Dependencies(cases=DynamoCaseRepository(table, boto3.client("dynamodb")),
                        queue=SqsQueue(settings.queue_urls), directory=DynamoExecutorDirectory(table),
                        idempotency=DynamoIdempotencyStore(settings.idempotency_table), settings=settings,
                        webhooks=RecordingWebhookSender(), deliveries=DynamoDeliveryRepository(table),
                        clock=lambda: clock[0] + timedelta(days=3))


def _fill(deps: Any, size: int, due: int) -> None:
    """`size` open cases assigned at START. The check runs three days later: of the `due` cases half have a
    4-day deadline (a reminder is due) and half a 2-day one (overdue, escalated); the rest have 30 days
    (their first reminder is 15 days off)."""
    from chalicelib.adapters.case_items import case_to_item
    from chalicelib.adapters.dynamo import to_dynamo
    from chalicelib.domain.case import Assignment, Case, Classification

    db, table = deps.cases._db, deps.settings.cases_table
    batch: list[dict[str, Any]] = []
    for n in range(size):
        case = Case(id=f"c_{n:07d}", token_hash="h", text="Во дворе яма", created_at=START, municipality="nevsky")
        case.classify(Classification("landscaping", "landscaping.yard", 0.9, "bench"), START)
        days = 30 if n >= due else 4 if n % 2 else 2
        case.assign(Assignment("adm_nevsky", START + timedelta(days=days), "bench"), START)
        batch.append({"PutRequest": {"Item": to_dynamo(case_to_item(case, 1))}})
        if (n + 1) % 20_000 == 0:
            click.echo(f"  … {n + 1} cases written", err=True)
        if len(batch) == 25 or n == size - 1:
            request: dict[str, Any] = {table: batch}
            while request:
                request = db.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            batch = []
