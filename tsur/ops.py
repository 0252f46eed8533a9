"""Operators' commands: webhook deliveries, executors' endpoints, dead-letter queues.

They use the same AWS configuration as the app. Against a running `tsur local` they read the stack's
environment from `<state-dir>/env.json` (written at start); elsewhere they take the usual AWS variables
(credentials, region, `TSUR_STAGE`), `--endpoint-url` and `--stage`, and look the queues up by name.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from chalicelib.services.deps import Dependencies

ENV_FILE = "env.json"
LOCAL_DEFAULTS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                  "AWS_DEFAULT_REGION": "eu-central-1"}  # moto accepts anything; never a real account's


def configure_environment(state_dir: Path, endpoint_url: str | None, stage: str | None) -> None:
    """Set the variables the app's own configuration reads (Settings.from_env, boto3)."""
    env_file = state_dir / ENV_FILE
    if endpoint_url is None and env_file.is_file():
        os.environ.update(json.loads(env_file.read_text("utf-8")))
    if endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url
        for name, value in LOCAL_DEFAULTS.items():
            os.environ.setdefault(name, value)
    if stage:
        os.environ["TSUR_STAGE"] = stage


def _find_queue_urls() -> None:
    import boto3

    from chalicelib.settings import QUEUES, queue_name

    missing = [step for step in QUEUES if not os.environ.get(f"{step.upper()}_QUEUE_URL")]
    if not missing:
        return
    sqs = boto3.client("sqs")
    for step in missing:
        os.environ[f"{step.upper()}_QUEUE_URL"] = sqs.get_queue_url(QueueName=queue_name(step))["QueueUrl"]


def _deps(ctx: click.Context, state_dir: Path, endpoint_url: str | None, stage: str | None) -> Dependencies:
    injected = (ctx.obj or {}).get("deps")  # tests hand in their own
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    from chalicelib.observability import get_logger
    from chalicelib.services import deps

    get_logger().setLevel(logging.WARNING)  # the app's JSON log lines would mix with our output

    configure_environment(state_dir, endpoint_url, stage)
    _find_queue_urls()
    deps.from_environment.cache_clear()
    return deps.from_environment()


def aws_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--state-dir/--endpoint-url/--stage, turned into the `deps` argument."""
    @click.option("--state-dir", default="local", show_default=True, type=click.Path(path_type=Path),
                  help="the local stack's folder (its env.json is used when present)")
    @click.option("--endpoint-url", default=None, help="AWS endpoint, e.g. moto's http://127.0.0.1:5000")
    @click.option("--stage", default=None, help="TSUR_STAGE (dev, prod, local)")
    @click.pass_context
    def wrapper(ctx: click.Context, state_dir: Path, endpoint_url: str | None, stage: str | None,
                **kwargs: Any) -> Any:
        with _api_errors():
            return command(_deps(ctx, state_dir, endpoint_url, stage), **kwargs)

    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    return wrapper


@contextmanager
def _api_errors() -> Iterator[None]:
    from chalicelib.api.errors import ApiError

    try:
        yield
    except ApiError as exc:
        details = "; ".join(f"{f['field']}: {f['message']}" for f in exc.fields)
        raise click.ClickException(f"{exc.message}{': ' + details if details else ''}") from exc


def _echo(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]) -> None:
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif not rows:
        click.echo("— пусто / nothing —")
    for row in [] if as_json else rows:
        click.echo(line(row))


# -- deliveries ---------------------------------------------------------------------------------------
@click.group()
def deliveries() -> None:
    """Доставка вебхуков исполнителям / webhook deliveries to executors."""


def _delivery_line(d: dict[str, Any]) -> str:
    nxt = f" next {d['next_attempt_at']}" if d["next_attempt_at"] else ""
    error = f" — {d['last_error']}" if d["last_error"] else ""
    return (f"{d['webhook_id']}  {d['status']:<9} {d['executor_id']:<22} {d['event_type']:<16} "
            f"attempts {d['attempt_count']}{nxt}{error}")


@deliveries.command("list")
@click.option("--status", "state", type=click.Choice(["parked", "disabled", "scheduled"]), default=None,
              help="parked (default), disabled (held), scheduled (pending or retrying)")
@click.option("--executor", default=None)
@click.option("--case", "case_id", default=None, help="every delivery of one case")
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@aws_options
def list_deliveries(deps: Dependencies, state: str | None, executor: str | None, case_id: str | None,
                    limit: int, as_json: bool) -> None:
    """Отложенные и ожидающие доставки / parked, held or scheduled deliveries."""
    from chalicelib.services import deliveries as service

    found = service.listing(deps, state if state or case_id else "parked", executor, case_id, limit)
    _echo([service.view(d) for d in found], as_json, _delivery_line)


@deliveries.command("show")
@click.argument("webhook_id")
@click.option("--json", "as_json", is_flag=True)
@aws_options
def show_delivery(deps: Dependencies, webhook_id: str, as_json: bool) -> None:
    """Одна доставка со всеми попытками / one delivery with its attempts."""
    from chalicelib.services import deliveries as service

    view = service.view(service.find(deps, webhook_id))
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False, indent=1))
        return
    click.echo(_delivery_line(view))
    for a in view["attempts"]:
        click.echo(f"  #{a['number']} {a['at']}  HTTP {a['status'] or '—'}  {a['latency_ms']} ms"
                   f"{'  ' + a['error'] if a['error'] else ''}")


@deliveries.command("replay")
@click.argument("webhook_ids", nargs=-1)
@click.option("--all-parked", is_flag=True, help="every parked delivery (of --executor, if given)")
@click.option("--executor", default=None)
@aws_options
def replay_deliveries(deps: Dependencies, webhook_ids: tuple[str, ...], all_parked: bool,
                      executor: str | None) -> None:
    """Отправить снова (тот же webhook-id) / send again, with the same webhook-id."""
    from chalicelib.services import deliveries as service

    if bool(webhook_ids) == all_parked:
        raise click.UsageError("give webhook ids or --all-parked")
    replayed = (service.replay_all(deps, "parked", executor) if all_parked
                else [service.replay(deps, w).id for w in webhook_ids])
    click.echo(f"Отправлено повторно / replayed: {len(replayed)}")
    for webhook in replayed:
        click.echo(f"  {webhook}")


# -- executors' endpoints -----------------------------------------------------------------------------
@click.group()
def executors() -> None:
    """Адреса для вебхуков и API-ключи исполнителей / executors' webhook endpoints and API keys."""


def _endpoint_line(e: dict[str, Any]) -> str:
    state = "on " if e["active"] else "OFF"
    rotation = f"  rotation until {e['rotation_ends_at']}" if e["rotation_ends_at"] else ""
    reason = f"  — {e['disabled_reason']}" if e["disabled_reason"] and not e["active"] else ""
    return f"{e['executor_id']:<22} {state} {e['url'] or '—'}  secrets {e['secrets_in_use']}{rotation}{reason}"


@executors.command("list")
@click.option("--disabled", is_flag=True, help="only endpoints that are off (410 Gone, operator, none)")
@click.option("--json", "as_json", is_flag=True)
@aws_options
def list_endpoints(deps: Dependencies, disabled: bool, as_json: bool) -> None:
    """Адреса и их состояние (без секретов) / endpoints and their state (never the secrets)."""
    from chalicelib.services import endpoints

    _echo(endpoints.listing(deps, only_disabled=disabled), as_json, _endpoint_line)


@executors.command("set-url")
@click.argument("executor_id")
@click.argument("url")
@aws_options
def set_url(deps: Dependencies, executor_id: str, url: str) -> None:
    """Задать адрес (https, публичный) / register the webhook URL (https, public addresses only)."""
    from chalicelib.services import endpoints

    _, secret = endpoints.register(deps, executor_id, url)
    click.echo(f"{executor_id}: {url}")
    if secret:
        click.echo(f"Секрет (показан один раз) / secret, shown once: {secret}")


@executors.command("rotate-secret")
@click.argument("executor_id")
@click.option("--overlap-hours", default=24.0, show_default=True,
              help="how long the current secret keeps signing next to the new one")
@aws_options
def rotate_secret(deps: Dependencies, executor_id: str, overlap_hours: float) -> None:
    """Новый секрет подписи / a new signing secret, with an overlap."""
    from chalicelib.services import endpoints

    endpoint, secret = endpoints.rotate_secret(deps, executor_id, timedelta(hours=overlap_hours))
    click.echo(f"Новый секрет (показан один раз) / new secret, shown once: {secret}")
    if endpoint.previous_expires_at:
        click.echo(f"Старый действует до / the old one signs too until {endpoint.previous_expires_at.isoformat()}")


@executors.command("enable")
@click.argument("executor_id")
@aws_options
def enable_endpoint(deps: Dependencies, executor_id: str) -> None:
    """Включить адрес и отправить задержанное / enable and send what was held."""
    from chalicelib.services import endpoints

    released = endpoints.enable(deps, executor_id)
    click.echo(f"{executor_id}: включён / enabled; отправлено повторно / replayed: {len(released)}")


@executors.command("disable")
@click.argument("executor_id")
@click.option("--reason", default="", help="shown to other operators")
@aws_options
def disable_endpoint(deps: Dependencies, executor_id: str, reason: str) -> None:
    """Отключить адрес: доставки ждут / disable: deliveries wait until it is enabled."""
    from chalicelib.services import endpoints

    endpoints.disable(deps, executor_id, reason)
    click.echo(f"{executor_id}: отключён / disabled")


def _key_line(k: dict[str, Any]) -> str:
    state = f"revoked {k['revoked_at']}" if k["revoked_at"] else "active"
    return f"{k['key_id']}  created {k['created_at']}  {state}  {k['label'] or '—'}"


@executors.command("issue-key")
@click.argument("executor_id")
@click.option("--label", default="", help="whose key it is, shown in listings (e.g. «учётная система района»)")
@aws_options
def issue_key(deps: Dependencies, executor_id: str, label: str) -> None:
    """Выдать API-ключ (показан один раз) / issue an API key, shown once."""
    from chalicelib.services import executor_keys

    issued = executor_keys.issue(deps, executor_id, label)
    click.echo(f"{executor_id}: key id {issued.record.key_id}")
    click.echo(f"Ключ (показан один раз) / key, shown once: {issued.plaintext}")


@executors.command("keys")
@click.argument("executor_id")
@click.option("--json", "as_json", is_flag=True)
@aws_options
def list_keys(deps: Dependencies, executor_id: str, as_json: bool) -> None:
    """API-ключи исполнителя (без самих ключей) / the executor's keys, never the keys themselves."""
    from chalicelib.services import executor_keys

    _echo(executor_keys.listing(deps, executor_id), as_json, _key_line)


@executors.command("revoke-key")
@click.argument("executor_id")
@click.argument("key_id")
@aws_options
def revoke_key(deps: Dependencies, executor_id: str, key_id: str) -> None:
    """Отозвать API-ключ: дальше 401 / revoke an API key: 401 from the next request."""
    from chalicelib.services import executor_keys

    revoked = executor_keys.revoke(deps, executor_id, key_id)
    click.echo(f"{executor_id}: ключ {key_id} отозван / revoked at {revoked['revoked_at']}")


# -- dead-letter queues -------------------------------------------------------------------------------
@click.group()
def dlq() -> None:
    """Очереди недоставленных сообщений / dead-letter queues."""


@dlq.command("list")
@click.argument("queue", required=False)
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@aws_options
def list_dead_letters(deps: Dependencies, queue: str | None, limit: int, as_json: bool) -> None:
    """Без QUEUE: сколько в каждой; с QUEUE: сами сообщения / counts, or one queue's messages."""
    from chalicelib.services import dead_letters

    if queue is None:
        _echo(dead_letters.overview(deps), as_json, lambda r: f"{r['queue']:<10} {r['parked']}")
        return
    _echo(dead_letters.messages(deps, queue, limit), as_json,
          lambda m: f"{m['message_id']}  sent {m['sent_at']}  receives {m['receive_count']}  {m['body']}")


@dlq.command("replay")
@click.argument("queue")
@click.argument("message_ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="every message of the queue's DLQ")
@aws_options
def replay_dead_letters(deps: Dependencies, queue: str, message_ids: tuple[str, ...], everything: bool) -> None:
    """Вернуть сообщения в очередь / send messages back to their queue."""
    from chalicelib.services import dead_letters

    if bool(message_ids) == everything:
        raise click.UsageError("give message ids or --all")
    moved = dead_letters.redrive(deps, queue, None if everything else list(message_ids))
    click.echo(f"Возвращено в {queue} / sent back: {moved}")


COMMANDS = (deliveries, executors, dlq)
