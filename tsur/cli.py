"""The `tsur` command."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

LOCAL_LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


@click.group()
def main() -> None:
    """ЦУР: обращения жителей / TSUR: residents' appeals."""


def _setup_local_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOCAL_LOG_FORMAT, datefmt="%H:%M:%S"))
    logger = logging.getLogger("tsur.local")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the app's own logging is structured JSON; ours stays plain


def _stop_on_signals() -> threading.Event:
    """Ctrl-C and SIGTERM only set the event; the main thread then stops everything in order."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return stop


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="API host / адрес API")
@click.option("--port", default=8000, show_default=True, help="API port")
@click.option("--aws-port", default=5000, show_default=True, help="moto server port")
@click.option("--agency-port", default=8001, show_default=True, help="demo agency port")
@click.option("--mail-port", default=8025, show_default=True, help="residents' mailbox page port")
@click.option("--answer-review", type=click.Choice(["auto", "operator"]), default="auto", show_default=True,
              help="publish answers that pass the quality check at once, or wait for an operator")
@click.option("--state-dir", default="local", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="where data and credentials are kept")
@click.option("--fresh", is_flag=True, help="start from scratch: delete the saved data")
@click.option("--schedule-interval", default=60.0, show_default=True, help="seconds between scheduled runs")
@click.option("--visibility-timeout", default=20, show_default=True, help="SQS visibility timeout, seconds")
@click.option("--max-receive-count", default=5, show_default=True, help="receives before the DLQ")
@click.option("--no-demo-data", is_flag=True, help="do not seed the demo region, executors and operators")
@click.option("--rate-limit", type=click.IntRange(min=0), default=None,
              help="requests per client IP in 5 minutes to /v1/appeals, /v1/uploads, /v1/social/ "
                   "[default: PublicRateLimitPer5Min of infra/template.json; 0: no limit]")
def local(host: str, port: int, aws_port: int, agency_port: int, mail_port: int, answer_review: str,
          state_dir: Path, fresh: bool,
          schedule_interval: float, visibility_timeout: int, max_receive_count: int,
          no_demo_data: bool, rate_limit: int | None) -> None:
    """Вся система на этой машине (moto) / the whole system on this machine, on moto."""
    from tsur.local.stack import LocalOptions, LocalStack

    _setup_local_logging()
    stack = LocalStack(LocalOptions(
        host=host, port=port, aws_port=aws_port, agency_port=agency_port, mail_port=mail_port,
        answer_review=answer_review, state_dir=state_dir, fresh=fresh,
        schedule_interval=schedule_interval, visibility_timeout=visibility_timeout,
        max_receive_count=max_receive_count, demo_data=not no_demo_data, rate_limit=rate_limit))
    stop = _stop_on_signals()
    try:
        stack.start()
    except Exception as exc:
        raise click.ClickException(f"не удалось запустить / could not start: {exc}") from exc
    click.echo(stack.banner())
    while not stop.wait(0.5):
        pass
    click.echo("Останавливаю / stopping…", err=True)
    stack.stop()
    click.echo("Остановлено / stopped.", err=True)


def _register_subcommands() -> None:
    from tsur.classification.commands import register as register_classification
    from tsur.deploy import deploy
    from tsur.eval_commands import evaluate
    from tsur.ops import COMMANDS as OPERATOR_COMMANDS

    main.add_command(evaluate)
    register_classification(main)  # train, classify, rubricator, moderation, eval/bench classifier
    main.add_command(deploy)
    _register_routing_and_deadlines()
    for command in OPERATOR_COMMANDS:  # deliveries, executors, dlq
        main.add_command(command)
    from tsur.hardening_cli import COMMANDS as HARDENING_COMMANDS
    from tsur.hardening_cli import register_bench

    for hardening in HARDENING_COMMANDS:  # openapi, consistency
        main.add_command(hardening)
    register_bench()  # bench pipeline


def _register_routing_and_deadlines() -> None:
    from tsur.bench import bench
    from tsur.deadlines_cli import cases, deadlines
    from tsur.region_cli import region
    from tsur.routing_cli import route, routing

    for command in (routing, route, region, deadlines, cases, bench):
        main.add_command(command)


_register_subcommands()
