"""`tsur deadlines …` (the production calendar, a deadline, the check, overdue counts) and
`tsur cases reassign` (an operator hands a case to another executor)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import click

from tsur.ops import aws_options

if TYPE_CHECKING:
    from chalicelib.services.deps import Dependencies


@click.group()
def deadlines() -> None:
    """Сроки: производственный календарь, проверка, просрочки / deadlines."""


@deadlines.command()
@click.argument("year", type=int)
def calendar(year: int) -> None:
    """Нерабочие будни и рабочие выходные года / a year's days off and worked weekends."""
    from chalicelib.domain.calendar import russian_calendar

    cal = russian_calendar()
    days = [date(year, 1, 1) + timedelta(days=n) for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    if not cal.covers(year):
        click.echo(PROVISIONAL_WARNING.format(year=year), err=True)
    click.echo(json.dumps({
        "year": year, "decree_in_data": cal.covers(year), "provisional": not cal.covers(year),
        "working_days": cal.working_days_in(year),
        "weekdays_off": [d.isoformat() for d in days if d.weekday() < 5 and not cal.is_working_day(d)],
        "presidential_days_off": [d.isoformat() for d in cal.presidential_days_off(year)],
        "working_weekends": [d.isoformat() for d in days if d.weekday() >= 5 and cal.is_working_day(d)],
    }, ensure_ascii=False, indent=1))


PROVISIONAL_WARNING = ("Внимание: постановление Правительства о переносе выходных дней в {year} году ещё не "
                       "опубликовано. Календарь предварительный: только праздники ст. 112 ТК РФ и перенос "
                       "выходного, совпавшего с праздником (кроме январских), на следующий рабочий день. "
                       "Сроки в рабочих днях на {year} год могут измениться.")


@deadlines.command()
@click.option("--start", required=True, help="ISO time with offset, e.g. 2026-12-29T15:00+03:00")
@click.option("--tz", "zone", default="Europe/Moscow", show_default=True, help="the executor's time zone")
@click.option("--days", type=int, default=None)
@click.option("--hours", type=int, default=None)
@click.option("--working", is_flag=True, help="working days on the production calendar")
def due(start: str, zone: str, days: int | None, hours: int | None, working: bool) -> None:
    """Когда истекает срок / when a deadline falls."""
    from zoneinfo import ZoneInfo

    from chalicelib.domain.deadlines import DeadlineRule

    try:
        rule = DeadlineRule(days=days, hours=hours, working_days=working)
        begin = datetime.fromisoformat(start)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if begin.tzinfo is None:
        raise click.ClickException("--start needs an offset, e.g. +03:00")
    click.echo(rule.due(begin, ZoneInfo(zone)).isoformat())


@deadlines.command()
@aws_options
def check(deps: Dependencies) -> None:
    """Запустить проверку сроков сейчас / run the deadline check once."""
    from chalicelib.services.deadlines import check_deadlines

    click.echo(json.dumps(check_deadlines(deps)))


@deadlines.command()
@click.option("--all", "show_all", is_flag=True, help="executors without overdue cases too")
@aws_options
def overdue(deps: Dependencies, show_all: bool) -> None:
    """Просрочки по исполнителям / overdue cases per executor (now, and ever)."""
    from chalicelib.services.deadlines import overdue_report

    for row in overdue_report(deps):
        if show_all or row.overdue_total:
            name = deps.executors[row.executor_id].name
            click.echo(f"{row.overdue_open:5d} now {row.overdue_total:6d} ever  {row.executor_id:24} {name}")


@click.group()
def cases() -> None:
    """Обращения: действия оператора / operators' actions on cases."""


@cases.command()
@click.argument("case_id")
@click.option("--to", "executor_id", default=None, help="executor id; omitted: the routing rules pick again")
@click.option("--reason", required=True)
@click.option("--operator", required=True, help="who does it (kept in the case's history)")
@aws_options
def reassign(deps: Dependencies, case_id: str, executor_id: str | None, reason: str, operator: str) -> None:
    """Передать обращение другому исполнителю / hand a case to another executor."""
    from chalicelib.services import routing

    case = routing.reassign(deps, case_id, executor_id, reason, actor=f"operator:{operator}")
    assert case.assignment is not None
    click.echo(f"{case.id}: {case.assignment.executor_id} ({case.assignment.rule}), "
               f"срок {case.assignment.deadline_at.isoformat()}")
