"""`tsur openapi` (the HTTP API's contract) and `tsur consistency` (cases stuck without a way on)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from tsur.ops import aws_options

if TYPE_CHECKING:
    from chalicelib.services.deps import Dependencies


@click.command("openapi")
def openapi_command() -> None:
    """Документ OpenAPI 3.1 всего HTTP API / the OpenAPI document of the whole HTTP API."""
    from chalicelib.api.openapi import build_document
    from tsur.local.app_loader import REPO_ROOT, load_app

    app = load_app(REPO_ROOT / "app.py")
    click.echo(json.dumps(build_document(app.routes), ensure_ascii=False, indent=1))


@click.command("consistency")
@click.option("--json", "as_json", is_flag=True, help="the summary as one JSON object")
@aws_options
def consistency_command(deps: Dependencies, as_json: bool) -> None:
    """Зависшие обращения и доставки / cases and deliveries stuck with nothing to move them on.

    Exits 1 when something is stuck (for a monitor or a cron job)."""
    from chalicelib.services import consistency

    summary = consistency.check(deps).summary()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        steps = ", ".join(f"{step} {n}" for step, n in summary["stuck_steps"].items())
        click.echo(f"Зависшие шаги / stuck steps: {steps}")
        click.echo(f"Неотправленные письма и уведомления / effects never sent: {summary['stuck_effects']}")
        click.echo(f"Просроченные доставки / deliveries the sweeper missed: {summary['stuck_deliveries']}")
        click.echo(f"Отложенные / parked: {summary['parked_deliveries']}, "
                   f"отключённые / disabled: {summary['disabled_deliveries']} (видны операторам / replayable)")
        for example in summary["examples"]:
            click.echo(f"  {json.dumps(example, ensure_ascii=False)}")
        click.echo("OK" if summary["ok"] else "ЕСТЬ ЗАВИСШИЕ / STUCK")
    if not summary["ok"]:
        raise SystemExit(1)


COMMANDS = (openapi_command, consistency_command)


def register_bench() -> None:
    """`tsur bench pipeline` joins the `bench` group."""
    from tsur.bench import bench
    from tsur.bench_pipeline import bench_pipeline

    bench.add_command(bench_pipeline)
