"""`tsur eval …`: measurements of the automatic checks on the real data in ../shared/data."""

from __future__ import annotations

import time

import click

from tsur.answer_eval import Confusion, answered_appeals, confusion_by_split, flagged_share, read_labels
from tsur.shared_data import appeals_path


@click.group(name="eval")
def evaluate() -> None:
    """Оценка автоматических проверок на реальных данных / evaluate the checks on real data."""


@evaluate.command()
@click.option("--mistakes", is_flag=True, help="list the labelled answers the check gets wrong (ids only)")
def answers(mistakes: bool) -> None:
    """Проверка ответов на «отписки» против ручной разметки / the answer check against hand labels."""
    path = appeals_path()
    if not path.is_file():
        click.echo(f"Нет файла с данными / data file not found: {path}\n"
                   "Положите его туда или укажите TSUR_DATA_DIR / put it there or set TSUR_DATA_DIR. "
                   "Nothing to evaluate.")
        return
    from chalicelib.domain.answer_quality import assess_answer

    def judge(text: str) -> tuple[str, str]:
        assessment = assess_answer(text)
        return assessment.verdict.value, assessment.codes[0] if assessment.codes else ""

    appeals = answered_appeals(path)
    labels = read_labels()
    by_id = {a.id: a.answer for a in appeals}
    missing = [label.id for label in labels if label.id not in by_id]
    if missing:
        raise click.ClickException(f"{len(missing)} labelled ids are not in the data file, e.g. {missing[:3]}")
    click.echo(f"Разметка / labels: {len(labels)} answers, "
               f"{sum(label.label == 'formal' for label in labels)} of them formal")
    for split, confusion in sorted(confusion_by_split(labels, by_id, judge).items()):
        _print_confusion(split, confusion, mistakes)
    started = time.perf_counter()
    share, reasons, per_category = flagged_share(appeals, judge)
    elapsed = time.perf_counter() - started
    click.echo(f"\nВесь набор / whole data set: {len(appeals)} answers, flagged formal {share:.1%} "
               f"({elapsed / len(appeals) * 1000:.2f} ms per answer)")
    click.echo("  by first reason: " + ", ".join(f"{code} {n}" for code, n in reasons.most_common()))
    for category, value in sorted(per_category.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {value:6.1%}  {category}")


def _print_confusion(split: str, c: Confusion, mistakes: bool) -> None:
    click.echo(f"\n[{split}] formal: precision {c.precision:.2f}  recall {c.recall:.2f}  F1 {c.f1:.2f}")
    click.echo("                      predicted formal  predicted substantive")
    click.echo(f"  labelled formal      {c.tp:>16}  {c.fn:>21}")
    click.echo(f"  labelled substantive {c.fp:>16}  {c.tn:>21}")
    if mistakes:
        for appeal_id, truth, predicted in c.mistakes:
            click.echo(f"  id {appeal_id}: labelled {truth}, predicted {predicted}")
