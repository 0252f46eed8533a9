"""`tsur routing suggest|evaluate|load|show` and `tsur route`: routing rules from history, dry runs of a
rules file exactly as the system routes, and loading rules into the running system."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from tsur.ops import aws_options

if TYPE_CHECKING:
    from chalicelib.domain.routing import RoutingDecision
    from chalicelib.domain.routing_rules import ActiveRouting
    from chalicelib.domain.vocabulary import Vocabulary
    from chalicelib.services.deps import Dependencies
    from tsur.routing_learn import Example
    from tsur.routing_vocabulary import Resolver

TRAIN_UNTIL = "2021-02-01"  # the shared data: train Oct 2020 – Jan 2021, evaluate Feb 2021
VOCABULARIES = ("region", "data")
MAX_ERRORS_SHOWN = 40


def _columns(f: Any) -> Any:
    f = click.option("--label-column", default="reason", show_default=True,
                     help="the data label (or category id) column")(f)
    f = click.option("--territory-column", default="district", show_default=True,
                     help="the district name (or municipality id) column")(f)
    return f


def _data_options(f: Any) -> Any:
    f = click.option("--data", "data_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="CSV or CSV.gz of labelled appeals (default: the shared data file)")(f)
    f = click.option("--executor-column", default="executor_org", show_default=True)(f)
    f = click.option("--prior", default=2.0, show_default=True,
                     help="weight of a label's habit everywhere against a territory's own cases")(f)
    return _columns(f)


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


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: не читается как JSON ({exc})") from exc


def read_document(rules_path: Path, executors_path: Path | None = None) -> dict[str, Any]:
    """A rules file ({"rules": [...], "executors": [...]}, or a region file's "routing_rules"), plus the
    executors of a separate file ({"executors": [...]} or a list)."""
    raw = _json_file(rules_path)
    if not isinstance(raw, dict):
        raise click.ClickException(f"{rules_path}: ожидается объект {{\"rules\": [...]}}")
    # a region file's own executors are the region's: only its rules count
    executors: list[Any] = [] if "routing_rules" in raw else list(raw.get("executors") or [])
    if executors_path is not None:
        extra = _json_file(executors_path)
        executors += extra.get("executors", []) if isinstance(extra, dict) else list(extra)
    return {"rules": raw.get("rules", raw.get("routing_rules")), "executors": executors}


def _refused(errors: list[str]) -> click.ClickException:
    shown = "\n".join(f"  - {e}" for e in errors[:MAX_ERRORS_SHOWN])
    more = f"\n  … и ещё {len(errors) - MAX_ERRORS_SHOWN}" if len(errors) > MAX_ERRORS_SHOWN else ""
    return click.ClickException(f"Правила с ошибками ({len(errors)}):\n{shown}{more}")


def routing_for(document: dict[str, Any]) -> ActiveRouting:
    """The routing the system would run with this document: the same check and router as the assign step."""
    from chalicelib import reference
    from chalicelib.domain.routing_rules import RoutingRulesError, activate, parse_document

    region, rubricator = reference.region(), reference.rubricator()
    try:
        return activate(parse_document(document, region, rubricator), region, rubricator)
    except RoutingRulesError as exc:
        raise _refused(exc.errors) from exc


@click.group()
def routing() -> None:
    """Правила маршрутизации / routing rules."""


@dataclass
class Learnt:
    rules: list[dict[str, Any]]
    resolver: Resolver | None  # None: the data's own vocabulary

    def document(self, source: dict[str, Any]) -> dict[str, Any]:
        document: dict[str, Any] = {"source": source, "rules": self.rules}
        if self.resolver is not None:
            document["executors"] = self.resolver.proposals()
            document["unresolved"] = {"labels": dict(self.resolver.unknown_labels.most_common()),
                                      "territories": dict(self.resolver.unknown_territories.most_common())}
        return document


def learn(history: list[Example], prior: float, vocabulary: str) -> Learnt:
    from tsur import routing_learn

    if vocabulary == "data":
        return Learnt(routing_learn.suggest(history, prior), None)
    from chalicelib import reference
    from chalicelib.domain.vocabulary import Vocabulary
    from tsur.routing_vocabulary import RegionLocality, Resolver

    resolver = Resolver(Vocabulary(reference.region(), reference.rubricator()))
    resolved = resolver.examples(history)
    return Learnt(routing_learn.suggest(resolved, prior, RegionLocality(resolver.region())), resolver)


@routing.command()
@_data_options
@click.option("--vocabulary", type=click.Choice(VOCABULARIES), default="region", show_default=True,
              help="region: categories, municipality ids and executor ids, loadable; data: the file's own names")
@click.option("--until", default=None, help="use only rows created before this date (YYYY-MM-DD)")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--executors-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write the proposed executors to their own file instead of the rules file's `executors`")
def suggest(data_path: Path | None, label_column: str, territory_column: str, executor_column: str, prior: float,
            vocabulary: str, until: str | None, out: Path, executors_out: Path | None) -> None:
    """Правила из истории / suggest rules from labelled history."""
    from tsur import routing_learn

    rows = _rows(data_path)
    if rows is None:
        return
    chosen = (r for r in rows if until is None or r.get("created", "") < until)
    history = list(routing_learn.examples(chosen, label_column, territory_column, executor_column))
    learnt = learn(history, prior, vocabulary)
    document = learnt.document({"rows": len(history), "label": label_column, "territory": territory_column,
                                "until": until, "prior": prior, "vocabulary": vocabulary})
    if executors_out is not None and "executors" in document:
        _write(executors_out, {"executors": document.pop("executors")})
    _write(out, document)
    click.echo(f"{len(learnt.rules)} rules from {len(history)} cases → {out}")
    if learnt.resolver is not None:
        _report_resolution(learnt.resolver, executors_out or out)


def _write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _report_resolution(resolver: Resolver, executors_file: Path) -> None:
    if resolver.proposed:
        click.echo(f"{len(resolver.proposed)} организаций нет среди исполнителей региона: предложены как новые "
                   f"(проверьте тип, район и руководителя) → {executors_file}")
    for what, counts in (("темы", resolver.unknown_labels), ("районы", resolver.unknown_territories)):
        if counts:
            click.echo(f"не найдены {what} ({sum(counts.values())} обращений): "
                       + ", ".join(f"«{k}»" for k in list(counts)[:5]))


@routing.command()
@_data_options
@click.option("--train-until", default=TRAIN_UNTIL, show_default=True)
@click.option("--test-until", default="2021-03-01", show_default=True)
def evaluate(data_path: Path | None, label_column: str, territory_column: str, executor_column: str,
             prior: float, train_until: str, test_until: str) -> None:
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
    in_data = learn(train, prior, "data")
    plain = routing_learn.evaluate(train, test, in_data.rules)
    in_region = learn(train, prior, "region")
    result = routing_learn.evaluate(train, test, decide=_system_router(in_region))
    click.echo(f"train: {len(train)} cases before {train_until}; evaluate: {result.rows} cases "
               f"{train_until} – {test_until} with an executor")
    proposed = len(in_region.resolver.proposed) if in_region.resolver else 0
    for label, share in (("lookup of the true (territory, label) pair", result.share(result.lookup_right)),
                         (f"suggested rules, data labels ({len(in_data.rules)})", plain.share(plain.rules_right)),
                         (f"suggested rules → region, system router ({len(in_region.rules)} + {proposed} executors)",
                          result.share(result.rules_right))):
        click.echo(f"{label:<62} {share:6.1%}")
    decided = ", ".join(f"{k} {v / max(result.rows, 1):.1%}" for k, v in result.decided_by.most_common())
    click.echo(f"decided by: {decided}")


def _system_router(learnt: Learnt) -> Any:
    """Each test case routed as the assign step would route it with the suggested rules loaded."""
    from chalicelib.domain.routing import NoRoute

    assert learnt.resolver is not None
    resolver = learnt.resolver
    routes = routing_for(learnt.document({}))

    def decide(ex: Example) -> tuple[RoutingDecision | None, str]:
        resolved = resolver.example(ex, propose=False)
        if resolved is None:
            return None, ""
        try:
            return routes.router.route_category(resolved.label, resolved.territory or None), resolved.executor
        except NoRoute:
            return None, resolved.executor
    return decide


@routing.command()
@click.argument("rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--executors", "executors_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="executors the rules name that the region file lacks")
@click.option("--operator", required=True, help="who loads them (kept with the version)")
@aws_options
def load(deps: Dependencies, rules_path: Path, executors_path: Path | None, operator: str) -> None:
    """Загрузить правила в работающую систему / load rules into the running system."""
    from chalicelib.adapters.ports import ConcurrentUpdate
    from chalicelib.domain.routing_rules import RoutingRulesError
    from chalicelib.services import routing_rules

    document = read_document(rules_path, executors_path)
    try:
        loaded = routing_rules.load(deps, document, f"operator:{operator}", source=rules_path.name)
    except RoutingRulesError as exc:
        raise _refused(exc.errors) from exc
    except ConcurrentUpdate as exc:
        raise click.ClickException("Правила только что загрузил кто-то другой: `tsur routing show`, "
                                   "затем повторите") from exc
    added = loaded.document["executors"]
    click.echo(f"Загружена версия {loaded.version}: правил {len(loaded.document['rules'])}, "
               f"новых исполнителей {len(added)}. Назначение применяет их в течение минуты.")
    missing = routing_rules.without_endpoint(deps, loaded)
    if missing:
        click.echo(f"Нет адреса для вебхуков у {len(missing)}: {', '.join(missing[:10])} — "
                   "`tsur executors set-url ID URL`; до тех пор их доставки ждут.")


@routing.command()
@click.option("--json", "as_json", is_flag=True, help="print the loaded document (to edit and load again)")
@aws_options
def show(deps: Dependencies, as_json: bool) -> None:
    """Какие правила действуют / which rules route cases now."""
    from chalicelib.services import routing_rules

    if as_json:
        loaded = deps.routing_rules.current()
        click.echo(json.dumps(loaded.document if loaded else {"rules": _shipped()}, ensure_ascii=False, indent=1))
        return
    info = routing_rules.in_force(deps)
    if info["version"] is None:
        click.echo(f"Действуют правила из файла региона ({info['source']}): правил {info['rules']}, "
                   f"исполнителей {info['executors']}.")
        return
    click.echo(f"Действует версия {info['version']}: загружена {info['loaded_at']} ({info['loaded_by']}, "
               f"{info['source']}); правил {info['rules']}, исполнителей {info['executors']} "
               f"(из них добавлено {info['added_executors']}).")
    if not info["in_use"]:
        click.echo("Внимание: загруженные правила не подходят к рубрикатору или региону, действуют правила "
                   "из файла региона. Загрузите исправленные.")


def _shipped() -> list[dict[str, Any]]:
    from chalicelib import reference

    return reference.shipped_rules()


@click.command()
@click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="a rules file (default: the region file's own rules)")
@click.option("--executors", "executors_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="executors the rules name that the region file lacks")
@_columns
@click.argument("input_file", type=click.File("r", encoding="utf-8"), default="-")
def route(rules_path: Path | None, executors_path: Path | None, label_column: str, territory_column: str,
          input_file: TextIO) -> None:
    """Маршрутизация JSON-строк, как в системе / route JSON lines as the system would: adds the category,
    the municipality, `executor` (id and name) and the deciding `rule`."""
    from chalicelib import reference
    from chalicelib.domain.vocabulary import Vocabulary

    document = read_document(rules_path, executors_path) if rules_path else {"rules": _shipped()}
    routes = routing_for(document)
    vocabulary = Vocabulary(routes.region, reference.rubricator())
    for number, line in enumerate(input_file, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise click.ClickException(f"line {number}: expected an object")
        record.update(dry_run(routes, vocabulary, record, label_column, territory_column))
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def dry_run(routes: ActiveRouting, vocabulary: Vocabulary, record: dict[str, Any], label_column: str,
            territory_column: str) -> dict[str, Any]:
    """What the assign step would decide for one record: the territory from its coordinates if any (as
    the system does), else its district; the category from its label."""
    from chalicelib import reference
    from chalicelib.domain.routing import NoRoute
    from chalicelib.domain.routing_rules import describe_rule

    category = vocabulary.category(str(record.get(label_column) or ""))
    named = str(record.get(territory_column) or "")
    lat, lon = _number(record.get("lat")), _number(record.get("lon"))
    municipality, _ = reference.territories().territory_of(lat, lon, vocabulary.territory(named))
    out: dict[str, Any] = {"category": category, "municipality": municipality,
                           "municipality_name": vocabulary.territory_name(municipality)}
    if named and municipality is None:
        out["warning"] = f"район «{named}» не найден: действуют правила для всего региона"
    if category is None:
        return {**out, "executor": None, "rule": None, "error": "тема не найдена в рубрикаторе"}
    try:
        decision = routes.router.route_category(category, municipality)
    except NoRoute:
        return {**out, "executor": None, "rule": None, "error": "нет подходящего правила"}
    executor = routes.region.executors[decision.executor_id]
    return {**out, "executor": executor.id, "executor_name": executor.name, "rule": decision.rule.id,
            "rule_text": describe_rule(decision.rule, routes.region, vocabulary.rubricator)}


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
