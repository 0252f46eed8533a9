"""`tsur routing suggest|evaluate` and `tsur route`: routing rules from history, and dry runs of a rules file."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import click

TRAIN_UNTIL = "2021-02-01"  # the shared data: train Oct 2020 – Jan 2021, evaluate Feb 2021


def _columns(f: Any) -> Any:
    f = click.option("--label-column", default="reason", show_default=True, help="what the rules are keyed by")(f)
    f = click.option("--territory-column", default="district", show_default=True)(f)
    return f


def _data_option(f: Any) -> Any:
    return click.option("--data", "data_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="CSV or CSV.gz of labelled appeals (default: the shared data file)")(f)


def _rows(data_path: Path | None) -> Iterator[dict[str, str]] | None:
    from tsur.shared_data import appeals_path, read_appeals

    path = data_path or appeals_path()
    if not path.exists():
        click.echo(f"Нет файла данных, пропускаю / data file not found, skipping: {path}")
        return None
    return read_appeals(path) if path.suffix == ".gz" else _plain_csv(path)


def _plain_csv(path: Path) -> Iterator[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load_rules(path: Path) -> list[dict[str, Any]]:
    """A rules file: {"rules": [...]} as `suggest` writes it, or a region file's {"routing_rules": [...]}."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    rules = raw.get("rules", raw.get("routing_rules")) if isinstance(raw, Mapping) else raw
    if not isinstance(rules, list):
        raise click.ClickException(f"{path}: нет списка правил / no list of rules")
    return rules


@click.group()
def routing() -> None:
    """Правила маршрутизации / routing rules."""


@routing.command()
@_data_option
@_columns
@click.option("--executor-column", default="executor_org", show_default=True)
@click.option("--until", default=None, help="use only rows created before this date (YYYY-MM-DD)")
@click.option("--prior", default=2.0, show_default=True,
              help="weight of a label's habit everywhere against a territory's own cases")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def suggest(data_path: Path | None, label_column: str, territory_column: str, executor_column: str,
            until: str | None, prior: float, out: Path) -> None:
    """Правила из истории / suggest rules from labelled history."""
    from tsur import routing_learn

    rows = _rows(data_path)
    if rows is None:
        return
    chosen = (r for r in rows if until is None or r.get("created", "") < until)
    history = list(routing_learn.examples(chosen, label_column, territory_column, executor_column))
    rules = routing_learn.suggest(history, prior)
    document = {"source": {"rows": len(history), "label": label_column, "territory": territory_column,
                           "until": until, "prior": prior}, "rules": rules}
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    click.echo(f"{len(rules)} rules from {len(history)} cases → {out}")


@routing.command()
@_data_option
@_columns
@click.option("--executor-column", default="executor_org", show_default=True)
@click.option("--train-until", default=TRAIN_UNTIL, show_default=True)
@click.option("--test-until", default="2021-03-01", show_default=True)
@click.option("--prior", default=2.0, show_default=True)
def evaluate(data_path: Path | None, label_column: str, territory_column: str, executor_column: str,
             train_until: str, test_until: str, prior: float) -> None:
    """Точность правил против поиска пары / rules' accuracy beside the (territory, label) lookup."""
    from tsur import routing_learn

    rows = _rows(data_path)
    if rows is None:
        return
    train: list[routing_learn.Example] = []
    test: list[routing_learn.Example] = []
    for row in rows:
        created = row.get("created", "")
        part = train if created < train_until else test if created < test_until else None
        if part is not None:
            part.extend(routing_learn.examples([row], label_column, territory_column, executor_column))
    rules = routing_learn.suggest(train, prior)
    result = routing_learn.evaluate(train, test, rules)
    click.echo(f"train: {len(train)} cases before {train_until}; evaluate: {result.rows} cases "
               f"{train_until} – {test_until} with an executor")
    click.echo(f"{'lookup of the true (territory, label) pair':<48} {result.share(result.lookup_right):6.1%}")
    click.echo(f"{f'suggested rules ({len(rules)})':<48} {result.share(result.rules_right):6.1%}")
    decided = ", ".join(f"{k} {v / max(result.rows, 1):.1%}" for k, v in result.decided_by.most_common())
    click.echo(f"decided by: {decided}")


@click.command()
@click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@_columns
@click.argument("input_file", type=click.File("r", encoding="utf-8"), default="-")
def route(rules_path: Path, label_column: str, territory_column: str, input_file: TextIO) -> None:
    """Маршрутизация JSON-строк / route JSON lines: adds `executor` and the deciding `rule`."""
    from tsur import routing_learn

    routes = routing_learn.router(load_rules(rules_path))
    for number, line in enumerate(input_file, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"line {number}: not JSON ({exc.msg})") from exc
        decision = routing_learn.route_one(routes, str(record.get(label_column) or ""),
                                           str(record.get(territory_column) or ""))
        record["executor"] = decision.executor_id if decision else None
        record["rule"] = decision.rule.id if decision else None
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
