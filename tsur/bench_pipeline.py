"""`tsur bench pipeline`: real appeals through the whole local stack over HTTP, and what AWS would bill.

Appeals from ../shared/data (text, district, coordinates, address), in their order of arrival with the
gaps between them compressed (`--speedup`), are POSTed to the local stack's API (moto in server mode,
started in-process on free ports); the demo agency receives the executors' webhooks. Printed:

- appeals per second end to end, latency from submission to the `case.assigned` webhook received
  (p50/p95/p99), queue depths over time, errors (non-202 answers, appeals never delivered);
- AWS requests per appeal by service and operation, counted with botocore `after-call` hooks on every
  client of the process (ReceiveMessage calls that returned nothing are counted apart: long polling
  idles at a fixed rate whatever the load);
- DynamoDB capacity units per appeal, computed from the request shapes (item sizes: 1 KB per WCU,
  transactions double, 4 KB per eventually consistent half RCU): moto's own ConsumedCapacity is a
  constant per call, not what DynamoDB would bill;
- Lambda invocations per appeal (API requests, SQS batches handed to a function, scheduled runs);
- tsur's own CPU time per appeal in each function, with the AWS calls answered by in-memory fakes;
- USD per million appeals at the list prices in `PRICES`;
- cold start: the import time of app.py and the size of the deployment package's code.

The last line is one JSON object.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from tsur.bench_capacity import CapacityMeter

# eu-central-1 (Frankfurt) list prices in USD, as published on the AWS pricing pages and known to us on
# 2024-12-01 (DynamoDB on-demand after its 2024-11-01 price cut). Check them before quoting the figure.
PRICES_DATE = "2024-12-01"
PRICES = {
    "apigateway_rest_per_million": 3.70,
    "lambda_requests_per_million": 0.20,
    "lambda_gb_second": 0.0000166667,
    "sqs_requests_per_million": 0.40,
    "dynamodb_wru_per_million": 0.7625,
    "dynamodb_rru_per_million": 0.1525,
    "ses_per_thousand_emails": 0.10,
}
LAMBDA_MEMORY_GB = 0.5  # lambda_memory_size in .chalice/config.json
PIPELINE_FUNCTIONS = ("on_intake", "on_classify", "on_assign", "on_notify", "on_mail")


@dataclass
class AwsMeter:
    """Counts every AWS call of the process (botocore `after-call`) and the DynamoDB capacity it uses."""

    calls: Counter[str] = field(default_factory=Counter)
    idle_receives: int = 0
    batches: Counter[str] = field(default_factory=Counter)
    wcu: float = 0.0
    rcu: float = 0.0
    on: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    capacity: CapacityMeter = field(default_factory=CapacityMeter)

    def install(self) -> None:
        import boto3

        boto3.setup_default_session()
        events = boto3.DEFAULT_SESSION.events  # type: ignore[union-attr]
        events.register("provide-client-params", self._remember_params)
        events.register("after-call", self._after_call)

    def _remember_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_params"] = params

    def _after_call(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self.on or threading.current_thread() is threading.main_thread():  # the bench's own checks
            return
        service, operation = model.service_model.service_name, model.name
        with self.lock:
            if operation == "ReceiveMessage":
                if not parsed.get("Messages"):
                    self.idle_receives += 1
                    return
                self.batches[str(context.get("bench_params", {}).get("QueueUrl", "")).rsplit("-", 1)[-1]] += 1
            self.calls[f"{service}.{operation}"] += 1
            if service == "dynamodb":
                wcu, rcu = self.capacity.call(operation, context.get("bench_params", {}), parsed)
                self.wcu += wcu
                self.rcu += rcu


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def load_appeals(count: int, synthetic: bool) -> list[tuple[float, dict[str, Any]]]:
    """(seconds since the first, request body) in order of arrival."""
    from chalicelib import reference

    if synthetic:
        rng = random.Random(8)
        ids = sorted(reference.region().municipalities)
        return [(n * 0.05, {"text": f"Во дворе дома {n} не вывозят мусор, контейнеры переполнены",
                            "municipality": rng.choice(ids)}) for n in range(count)]
    from datetime import datetime

    from tsur.shared_data import read_appeals

    by_name = {m.name.split()[0]: m.id for m in reference.region().municipalities.values()}
    rows = sorted(read_appeals(), key=lambda r: r["created"])[:count]
    start = datetime.fromisoformat(rows[0]["created"])
    appeals = []
    for row in rows:
        body: dict[str, Any] = {"text": row["text"][:5000] or "—", "address": row["address"][:500] or None,
                                "municipality": by_name.get(row["district"])}
        if row["lat"] and row["lon"]:
            body.update(lat=float(row["lat"]), lon=float(row["lon"]))
        offset = (datetime.fromisoformat(row["created"]) - start).total_seconds()
        appeals.append((offset, {k: v for k, v in body.items() if v is not None}))
    return appeals


@dataclass
class Run:
    """What happened to the appeals sent to the local stack."""

    submitted: dict[str, float] = field(default_factory=dict)  # case id → when (monotonic)
    delivered: dict[str, float] = field(default_factory=dict)  # case id → its case.assigned webhook arrived
    errors: list[str] = field(default_factory=list)
    depths: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    finished: float = 0.0


def _watch_webhooks(receiver: Any, run: Run) -> None:
    real = receiver.receive

    def receive(executor_id: str, headers: Any, body: bytes) -> int:
        status = real(executor_id, headers, body)
        payload = json.loads(body)
        case_id = payload.get("data", {}).get("case_id")
        if status == 204 and payload.get("type") == "case.assigned" and case_id not in run.delivered:
            run.delivered[case_id] = time.monotonic()
        return status

    receiver.receive = receive


def _sample_depths(aws_url: str, run: Run, stop: threading.Event) -> None:
    import os

    import boto3

    from chalicelib.settings import QUEUES

    sqs = boto3.session.Session().client("sqs", endpoint_url=aws_url, region_name="eu-central-1")  # not metered
    urls = {step: os.environ[f"{step.upper()}_QUEUE_URL"] for step in QUEUES}
    while not stop.wait(2.0):
        depth = {}
        for step, url in urls.items():
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            depth[step] = sum(int(attrs[name]) for name in ("ApproximateNumberOfMessages",
                                                            "ApproximateNumberOfMessagesNotVisible"))
        run.depths.append((time.monotonic() - run.started, depth))


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read()[:200].decode(errors="replace")}


def _settled(run: Run) -> bool:
    """Every case has left the pipeline, and every assigned one has had its webhook."""
    from chalicelib.domain.statuses import Status
    from chalicelib.services.deps import current

    deps = current()
    run.statuses.clear()
    for case_id in run.submitted:
        case = deps.cases.get(case_id)
        if case is None or case.pending_step in ("intake", "classify", "assign", "notify"):
            return False
        if case.status is Status.ASSIGNED and case_id not in run.delivered:
            return False
        run.statuses[case.status.value] += 1
    return True


def replay_through_stack(appeals: list[tuple[float, dict[str, Any]]], speedup: float, timeout_s: float,
                         meter: AwsMeter, state_dir: Path) -> Run:
    from tsur.local.aws import free_port
    from tsur.local.stack import LocalOptions, LocalStack

    # rate_limit=0: the bench replays a whole city's appeals from one address
    options = LocalOptions(port=free_port(), aws_port=free_port(), agency_port=free_port(),
                           mail_port=free_port(), state_dir=state_dir, fresh=True, save_interval=1e9, rate_limit=0)
    stack = LocalStack(options)
    stack.start()
    run, stop = Run(), threading.Event()
    try:
        assert stack.agency is not None
        _watch_webhooks(stack.agency.receiver, run)
        run.started = time.monotonic()
        threading.Thread(target=_sample_depths, args=(options.aws_url, run, stop), daemon=True).start()
        for offset, body in appeals:
            time.sleep(max(0.0, run.started + offset / speedup - time.monotonic()))
            status, reply = _post(f"{options.api_url}/v1/appeals", body)
            if status == 202:
                run.submitted[reply["id"]] = time.monotonic()
            else:
                run.errors.append(f"HTTP {status}: {reply}")
        deadline = time.monotonic() + timeout_s
        while not _settled(run) and time.monotonic() < deadline:
            time.sleep(0.5)
        run.finished = time.monotonic()
        if not _settled(run):
            run.errors.append(f"not settled in {timeout_s:.0f} s: {len(run.delivered)} of "
                              f"{len(run.submitted)} delivered")
    finally:
        meter.on = False
        stop.set()
        stack.stop()
    return run


def _fake_dependencies() -> Any:
    from chalicelib.adapters.memory import (
        InMemoryCaseRepository,
        InMemoryExecutorDirectory,
        InMemoryIdempotencyStore,
        InMemoryQueue,
        RecordingWebhookSender,
    )
    from chalicelib.adapters.ports import ExecutorEndpoint
    from chalicelib.services.deps import Dependencies
    from chalicelib.settings import Settings
    from chalicelib.webhooks import generate_secret

    deps = Dependencies(cases=InMemoryCaseRepository(), queue=InMemoryQueue(), directory=InMemoryExecutorDirectory(),
                        idempotency=InMemoryIdempotencyStore(), webhooks=RecordingWebhookSender(),
                        settings=Settings(stage="bench", cases_table="t", idempotency_table="i",
                                          attachments_bucket="b", public_base_url="http://tsur.bench"))
    for executor in deps.executors.values():
        deps.directory.save_endpoint(ExecutorEndpoint(executor.id, f"https://agency.bench/{executor.id}",
                                                      (generate_secret(),)))
    return deps


def cpu_per_function(app: Any, appeals: list[tuple[float, dict[str, Any]]]) -> dict[str, float]:
    """CPU seconds per appeal in each function, the app's handlers called with in-memory fakes."""
    from chalicelib.api.http import parse_body
    from chalicelib.api.schemas import AppealIn
    from chalicelib.services import deps as deps_module
    from chalicelib.services import intake
    from tsur.local.sqs_poller import lambda_record

    deps = _fake_dependencies()
    deps_module.use(deps)
    spent: dict[str, float] = {}
    try:
        for _, body in appeals:
            started = time.process_time()
            intake.submit_appeal(deps, parse_body(json.dumps(body), AppealIn))
            spent["submit_appeal"] = spent.get("submit_appeal", 0.0) + time.process_time() - started
        while deps.queue.sent:
            for step in ("intake", "classify", "assign", "notify", "mail"):
                messages = deps.queue.take(step)
                for start in range(0, len(messages), 10):
                    records = [lambda_record({"MessageId": f"m{n}", "ReceiptHandle": "r", "Body": json.dumps(m),
                                              "Attributes": {}, "MessageAttributes": {}, "MD5OfBody": ""},
                                             f"arn:aws:sqs:eu-central-1:000000000000:tsur-bench-{step}",
                                             "eu-central-1") for n, m in enumerate(messages[start:start + 10])]
                    started = time.process_time()
                    app.handler_map[f"on_{step}"]({"Records": records}, None)
                    spent[f"on_{step}"] = spent.get(f"on_{step}", 0.0) + time.process_time() - started
    finally:
        deps_module.use(None)
    return {name: seconds / len(appeals) for name, seconds in spent.items()}


def cold_start() -> dict[str, float]:
    """Seconds to import app.py in a fresh interpreter; the sizes of the zip `chalice package` builds
    (the code and the Linux wheels of requirements.txt) and of the code alone (0 when packaging fails)."""
    import io
    import subprocess
    import sys
    import zipfile

    from tsur.local.app_loader import REPO_ROOT

    probe = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-central-1"}, check=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(REPO_ROOT / "app.py", "app.py")
        for path in sorted((REPO_ROOT / "chalicelib").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(REPO_ROOT))
    return {"import_app_s": float(out.stdout.strip().splitlines()[-1]), "code_zip_mb": len(buffer.getvalue()) / 1e6,
            "package_zip_mb": _package_size(REPO_ROOT)}


def _package_size(repo: Path) -> float:
    """MB of the deployment.zip `chalice package` writes, built from a copy of the project."""
    import os
    import subprocess
    import sys
    import tempfile

    from tsur.packaging import copy_project

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        copy_project(repo, project)
        chalice = Path(sys.executable).with_name("chalice")  # the console script beside this interpreter
        env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")}
        built = subprocess.run([str(chalice), "package", "--stage", "dev", str(project / "out")],
                               cwd=project, env=env, capture_output=True, text=True, check=False)
        zipped = project / "out" / "deployment.zip"
        return zipped.stat().st_size / 1e6 if built.returncode == 0 and zipped.exists() else 0.0


def scheduled_runs_per_minute() -> float:
    """How often the app's `@app.schedule` functions run, all together, per minute."""
    from tsur.local.app_loader import REPO_ROOT, load_app

    seconds = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400}
    return sum(60 / (source.schedule_expression.value * seconds[source.schedule_expression.unit])
               for source in load_app(REPO_ROOT / "app.py").event_sources if hasattr(source, "schedule_expression"))


def usd_per_million(per_appeal: dict[str, float]) -> dict[str, float]:
    million = 1e6
    costs = {
        "apigateway": per_appeal["api_requests"] * PRICES["apigateway_rest_per_million"],
        "lambda_requests": per_appeal["lambda_invocations"] * PRICES["lambda_requests_per_million"],
        "lambda_compute": per_appeal["cpu_s"] * LAMBDA_MEMORY_GB * PRICES["lambda_gb_second"] * million,
        "sqs": per_appeal["sqs_requests"] * PRICES["sqs_requests_per_million"],
        "dynamodb": (per_appeal["wcu"] * PRICES["dynamodb_wru_per_million"]
                     + per_appeal["rcu"] * PRICES["dynamodb_rru_per_million"]),
        "ses": per_appeal["emails"] * PRICES["ses_per_thousand_emails"] * 1000,
    }
    return {k: round(v, 2) for k, v in costs.items()}


def _per_appeal(meter: AwsMeter, run: Run, cpu: dict[str, float]) -> dict[str, float]:
    appeals = max(1, len(run.submitted))
    elapsed_min = max(1e-9, run.finished - run.started) / 60
    sqs = sum(n for name, n in meter.calls.items() if name.startswith("sqs."))
    return {
        "api_requests": 1.0,
        "lambda_invocations": 1 + (sum(meter.batches.values()) + scheduled_runs_per_minute() * elapsed_min) / appeals,
        "sqs_requests": sqs / appeals,
        "aws_requests": sum(meter.calls.values()) / appeals,
        "wcu": meter.wcu / appeals,
        "rcu": meter.rcu / appeals,
        "emails": meter.calls.get("ses.SendEmail", 0) / appeals,
        "cpu_s": sum(cpu.values()),
    }


def _report(run: Run, meter: AwsMeter, cpu: dict[str, float], cold: dict[str, float]) -> dict[str, Any]:
    latencies = [run.delivered[c] - run.submitted[c] for c in run.submitted if c in run.delivered]
    elapsed = max(1e-9, run.finished - run.started)
    appeals = len(run.submitted)
    per = _per_appeal(meter, run, cpu)
    click.echo(f"Appeals: {appeals} accepted, statuses {dict(run.statuses)}; errors: {len(run.errors)}")
    for error in run.errors[:5]:
        click.echo(f"  {error}")
    click.echo(f"End to end: {appeals / elapsed:.2f} appeals/s over {elapsed:.1f} s (moto in server mode)")
    click.echo("Submission → case.assigned webhook: " + ", ".join(
        f"p{int(q * 100)} {_percentile(latencies, q):.2f} s" for q in (0.5, 0.95, 0.99)))
    click.echo("Queue depths (s: intake/classify/assign/notify/mail): " + "  ".join(
        f"{t:.0f}: " + "/".join(str(d[s]) for s in ("intake", "classify", "assign", "notify", "mail"))
        for t, d in run.depths[:: max(1, len(run.depths) // 12)]))
    click.echo(f"AWS requests per appeal: {per['aws_requests']:.2f} (+ {meter.idle_receives / max(1, appeals):.2f} "
               f"empty long polls, which do not grow with load)")
    for name, count in meter.calls.most_common():
        click.echo(f"  {name:<38} {count / max(1, appeals):6.2f}")
    click.echo(f"DynamoDB per appeal (from request shapes): {per['wcu']:.1f} WCU, {per['rcu']:.1f} RCU")
    click.echo(f"Lambda invocations per appeal: {per['lambda_invocations']:.2f}")
    click.echo("tsur CPU per appeal (AWS answered by in-memory fakes): " + ", ".join(
        f"{name} {seconds * 1000:.2f} ms" for name, seconds in cpu.items()))
    costs = usd_per_million(per)
    click.echo(f"USD per million appeals (eu-central-1 list prices of {PRICES_DATE}): {sum(costs.values()):.2f} "
               f"{costs}")
    click.echo(f"Cold start: import app.py {cold['import_app_s']:.2f} s; deployment package (chalice package) "
               f"{cold['package_zip_mb']:.2f} MB, of which the code {cold['code_zip_mb']:.2f} MB")
    return {"appeals": appeals, "appeals_per_s": round(appeals / elapsed, 3),
            "latency_p50_s": round(_percentile(latencies, 0.5), 3) if latencies else None,
            "latency_p99_s": round(_percentile(latencies, 0.99), 3) if latencies else None,
            "errors": len(run.errors),
            "aws_requests_per_appeal": round(per["aws_requests"], 2), "wcu_per_appeal": round(per["wcu"], 2),
            "rcu_per_appeal": round(per["rcu"], 2),
            "lambda_invocations_per_appeal": round(per["lambda_invocations"], 2),
            "cpu_ms_per_appeal": round(per["cpu_s"] * 1000, 2),
            "usd_per_million_appeals": round(sum(costs.values()), 2), "prices_date": PRICES_DATE, **cold}


@click.command("pipeline")
@click.option("--appeals", "count", default=300, show_default=True, help="how many appeals to replay")
@click.option("--speedup", default=3000.0, show_default=True, help="time compression of the real arrival gaps")
@click.option("--timeout", "timeout_s", default=900.0, show_default=True, help="seconds to wait for delivery")
@click.option("--synthetic", is_flag=True, help="generated appeals instead of the data set (a smoke run)")
def bench_pipeline(count: int, speedup: float, timeout_s: float, synthetic: bool) -> None:
    """Реальные обращения через локальный стек / real appeals through the local stack, and their AWS bill."""
    import logging
    import tempfile

    from tsur.shared_data import appeals_path

    if not synthetic and not appeals_path().is_file():
        click.echo(f"skipped: the data set {appeals_path()} is absent (set TSUR_DATA_DIR, or use --synthetic)")
        return
    from chalicelib.observability import get_logger

    get_logger().setLevel(logging.ERROR)
    appeals = load_appeals(count, synthetic)
    meter = AwsMeter()
    meter.install()
    from tsur.local.moto_transactions import rollback_only_touched_items

    with tempfile.TemporaryDirectory(prefix="tsur-bench-") as state_dir, rollback_only_touched_items():
        run = replay_through_stack(appeals, speedup, timeout_s, meter, Path(state_dir))
    import sys

    cpu = cpu_per_function(sys.modules["app"].app, appeals)
    click.echo(json.dumps(_report(run, meter, cpu, cold_start()), ensure_ascii=False))
