"""Commands: `tsur train`, `tsur classify`, `tsur rubricator check`, `tsur eval classifier`,
`tsur bench classifier`, `tsur moderation choose|examples`. Heavy imports stay inside the commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tsur.ops import aws_options
from tsur.shared_data import appeals_path

if TYPE_CHECKING:
    from chalicelib.domain.rubricator import Rubricator
    from chalicelib.services.deps import Dependencies

T = TypeVar("T")
OUT_DIR = Path("out") / "classifier"
NO_DATA = ("Нет файла с данными / data file not found: {path}\n"
           "Положите его туда или укажите TSUR_DATA_DIR / put it there or set TSUR_DATA_DIR. Nothing to measure.")


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    with click.progressbar(items, length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        yield from bar


def _rubricator(path: Path | None) -> Rubricator:
    from chalicelib import reference
    from chalicelib.domain.rubricator import Rubricator, RubricatorError

    if path is None:
        return reference.rubricator()
    try:
        return Rubricator.from_jsonl(path.read_text(encoding="utf-8"), source=path.name)
    except RubricatorError as exc:
        raise click.ClickException(f"рубрикатор с ошибками / the rubricator has errors:\n{exc}") from exc


rubricator_option = click.option("--rubricator", "rubricator_file", type=click.Path(exists=True, path_type=Path),
                                  default=None, help="JSON Lines rubricator (default: $RUBRICATOR_FILE or the demo's)")


@click.command()
@click.option("--data", "data_file", required=True, type=click.Path(exists=True, path_type=Path),
              help="CSV (or .csv.gz) with a header row")
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="reason", show_default=True)
@click.option("--group-column", default=None,
              help="coarser labels the labels nest in (e.g. category): trained as a second head")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--min-chars", default=0, show_default=True, help="skip rows with shorter text")
@click.option("--rubricator-examples/--no-rubricator-examples", default=True, show_default=True,
              help="also learn the categories the data lacks from the rubricator's phrasings and keywords")
@rubricator_option
@click.option("--c", "c", default=0.5, show_default=True, help="SVM regularisation")
@click.option("--jobs", default=2, show_default=True, help="threads for training")
def train(data_file: Path, text_column: str, label_column: str, group_column: str | None, out_file: Path,
          min_chars: int, rubricator_examples: bool, rubricator_file: Path | None, c: float, jobs: int) -> None:
    """Обучить классификатор на размеченной истории / train a classifier on labelled history."""
    from tsur.classification import corpus, training

    started = time.perf_counter()
    rows = corpus.read_rows(data_file)
    groups = None
    try:
        if group_column:
            examples, groups = corpus.labelled_with_groups(rows, text_column, label_column, group_column, min_chars)
        else:
            examples = corpus.labelled_examples(rows, text_column, label_column, min_chars)
    except corpus.CorpusError as exc:
        raise click.ClickException(f"{data_file}: {exc}") from exc
    click.echo(f"Строк с меткой / labelled rows: {len(examples)}, меток / labels: {len({e.label for e in examples})}")
    if rubricator_examples:
        extra = corpus.rubricator_examples(_rubricator(rubricator_file), {e.label for e in examples})
        click.echo(f"Фразы рубрикатора / rubricator phrasings and keywords: {len(extra)}")
        examples += extra
    try:
        model = training.train(examples, training.TrainingOptions(c=c, jobs=jobs), progress=progress,
                               info={"source": data_file.name, "label_column": label_column}, groups=groups)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    model.save(out_file)
    click.echo(f"Готово / done in {time.perf_counter() - started:.0f} s: {out_file} "
               f"({out_file.stat().st_size / 1e6:.2f} MB, {len(model.labels)} labels, {model.keys.size} features, "
               f"temperature {model.temperature:.3f})")


@click.command()
@click.option("--model", "model_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="model file (default: $CLASSIFIER_MODEL or the shipped one)")
@rubricator_option
def classify(model_file: Path | None, rubricator_file: Path | None) -> None:
    """JSON lines {"text", "sector"?} на входе → метка, категория, уверенность / JSON lines in and out."""
    from chalicelib import reference
    from chalicelib.domain.classifier import ModelClassifier
    from chalicelib.domain.text_model import ModelFileError, TextModel

    try:
        model = TextModel.load(model_file or reference.classifier_model_path())
    except ModelFileError as exc:
        raise click.ClickException(str(exc)) from exc
    classifier = ModelClassifier(_rubricator(rubricator_file), lambda: model)
    for number, line in enumerate(sys.stdin, start=1):
        if line.strip():
            click.echo(json.dumps(_classified(classifier, model, _input(line, number)), ensure_ascii=False))


def _input(line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"line {number}: not valid JSON ({exc.msg})") from exc
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise click.ClickException(f'line {number}: expected {{"text": "…"}}')
    return item


def _classified(classifier: Any, model: Any, item: dict[str, Any]) -> dict[str, Any]:
    probabilities = model.probabilities(item["text"])
    best = int(probabilities.argmax()) if probabilities is not None else None
    result = classifier.classify(item["text"], item.get("sector"))
    return {**({"id": item["id"]} if "id" in item else {}),
            "label": model.labels[best] if best is not None else None,
            "label_confidence": round(float(probabilities[best]), 3) if best is not None else None,
            "sector": result.sector if result else None, "category": result.category if result else None,
            "confidence": result.confidence if result else None,
            "alternatives": [list(a) for a in result.alternatives] if result else []}


@click.group()
def rubricator() -> None:
    """Рубрикатор / the rubricator."""


@rubricator.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_rubricator(path: Path) -> None:
    """Проверить файл рубрикатора / check a rubricator file (errors name their line)."""
    from chalicelib import reference
    from chalicelib.domain.sectors import SECTORS

    loaded = _rubricator(path)
    types = {e.type for e in reference.region().executors.values()}
    unknown = sorted({c.executor_type for c in loaded} - types)
    by_sector = {s: [c for c in loaded if c.sector == s] for s in SECTORS}
    click.echo(f"{path.name}: {len(loaded)} категорий / categories, "
               f"{sum(c.fast_track for c in loaded)} фаст-треков / fast tracks, "
               f"{sum(bool(c.labels) for c in loaded)} с метками истории / with history labels")
    for sector, found in by_sector.items():
        catch_all = "" if any(c.is_catch_all for c in found) else f"  ⚠ нет / no {sector}.other"
        click.echo(f"  {sector:<18} {len(found):>3}{catch_all}")
    if unknown:
        click.echo(f"⚠ исполнителей этих типов нет в регионе / no executor of these types in the region: "
                   f"{', '.join(unknown)}")


@click.command("classifier")
@click.option("--out-dir", default=OUT_DIR, show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--jobs", default=2, show_default=True, help="threads for training")
def eval_classifier(out_dir: Path, jobs: int) -> None:
    """Наш классификатор против TF-IDF + LinearSVC на реальных обращениях / ours vs the baseline on real data."""
    path = appeals_path()
    if not path.is_file():
        click.echo(NO_DATA.format(path=path))
        return
    from tsur.classification.evaluation import Evaluation
    from tsur.classification.report import print_report
    from tsur.shared_data import read_appeals

    evaluation = Evaluation(_rubricator(None), out_dir, click.echo, progress, jobs)
    report = evaluation.run(list(read_appeals(path)))
    report.inference = _measure(out_dir / "eval_model.npz", path)
    (out_dir / "report.json").write_text(report.to_json(), encoding="utf-8")
    print_report(report, click.echo)
    click.echo(f"\nМатрица ошибок / confusion matrix: {out_dir / 'confusion_category.png'}; "
               f"figures: {out_dir / 'report.json'}")


@click.command("classifier")
@click.option("--model", "model_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="model file (default: the shipped one)")
def bench_classifier(model_file: Path | None) -> None:
    """Скорость, загрузка, размер, память модели / throughput, load time, size, memory on one core."""
    from chalicelib import reference
    from tsur.classification.report import print_inference

    path = appeals_path()
    if not path.is_file():
        click.echo(NO_DATA.format(path=path))
        return
    print_inference(_measure(model_file or reference.classifier_model_path(), path), click.echo)


def _measure(model_file: Path, data_file: Path) -> dict[str, float]:
    click.echo("… замер на одном ядре / measuring on one core")
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "tsur.classification.bench_worker", str(model_file), str(data_file)],
                          capture_output=True, text=True, env={**os.environ, **env}, check=False)
    if done.returncode != 0:
        raise click.ClickException(f"measurement failed:\n{done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


@click.group()
def moderation() -> None:
    """Модерация: тема обращения, примеры для обучения / moderation: categories and training examples."""


@moderation.command("choose")
@click.argument("case_id")
@click.argument("category")
@click.option("--actor", required=True, help="the operator's name or login, kept in the case history")
@aws_options
def choose(deps: Dependencies, case_id: str, category: str, actor: str) -> None:
    """Выбрать тему обращения на модерации / choose the category of a case in moderation."""
    from chalicelib.services.moderation import choose_category

    case = choose_category(deps, case_id, category, f"operator:{actor}")
    click.echo(f"{case.id}: {category} → назначение / assignment")


@moderation.command("examples")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with columns text,label for `tsur train --label-column label`")
@aws_options
def export_examples(deps: Dependencies, out_file: Path) -> None:
    """Выгрузить выборы операторов для обучения / export operators' choices as training data."""
    import csv

    examples = deps.training.all()
    with open(out_file, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_id", "text", "label"])
        writer.writerows([e.case_id, e.text, e.category] for e in examples)
    click.echo(f"{len(examples)} примеров / examples → {out_file}")


def register(main: click.Group) -> None:
    from tsur.bench import bench
    from tsur.eval_commands import evaluate

    for command in (train, classify, rubricator, moderation):
        main.add_command(command)
    evaluate.add_command(eval_classifier)
    bench.add_command(bench_classifier)
