"""Analytics counters kept current as cases change, so dashboards read a few items, not the table.

For each state of a case, `facts` says what the counters count for it; `deltas` turns the change
between two states into counter increments, which the repository applies in the same transaction as
the case itself. Counted: appeals per day (and month) × district × category × status, and per
executor: open cases, overdue cases, cases due per day, final answers, returned answers, and a
histogram of the time to the first final answer. The executor's counters are kept three times: for
the whole region, for the case's district and for its sector (`scopes`), so a municipal operator's or
a sector curator's board reads only its own part.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.case import Case
from chalicelib.domain.statuses import OPEN_FOR_EXECUTOR, Status

UNKNOWN = "unknown"
# Upper bounds, in hours, of the answer-time histogram's buckets (the last is open-ended).
ANSWER_HOURS = (1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 240, 336, 504, 720)
Key = tuple[str, str]  # (pk, sk) of a counter item


@dataclass(frozen=True)
class CaseFacts:
    day: str
    district: str
    category: str
    status: str
    executor: str | None = None
    due_day: str | None = None  # set while the case is open for its executor
    final_answers: int = 0
    returned_answers: int = 0
    answer_bucket: int | None = None
    sector: str = UNKNOWN
    overdue: bool = False  # open for the executor and past the deadline


def district_scope(district: str) -> str:
    return f"#D#{district}"


def sector_scope(sector: str) -> str:
    return f"#S#{sector}"


REGION_SCOPE = ""


def scopes(f: CaseFacts) -> tuple[str, ...]:
    """The executor counters a case counts in: the region's, its district's and its sector's."""
    return REGION_SCOPE, district_scope(f.district), sector_scope(f.sector)


def district_of(case: Case) -> str:
    territory = case.assignment.territory if case.assignment else None
    return case.municipality or territory or UNKNOWN


def facts(case: Case, tz: ZoneInfo) -> CaseFacts:
    executor = case.executor_id
    open_now = executor is not None and case.status in OPEN_FOR_EXECUTOR | {Status.CLARIFICATION}
    finals = [a for a in case.answers if a.kind == "final"]
    return CaseFacts(
        day=case.created_at.astimezone(tz).date().isoformat(), district=district_of(case),
        category=case.classification.category if case.classification else UNKNOWN, status=case.status.value,
        executor=executor,
        due_day=case.assignment.deadline_at.astimezone(tz).date().isoformat() if open_now and case.assignment
        else None,
        final_answers=len(finals), returned_answers=sum(1 for a in finals if a.verdict == "formal"),
        answer_bucket=_bucket(finals[0].at - case.created_at) if finals else None,
        sector=case.classification.sector if case.classification else UNKNOWN,
        overdue=case.overdue and executor is not None and case.status in OPEN_FOR_EXECUTOR)


def _bucket(elapsed: timedelta) -> int:
    hours = elapsed.total_seconds() / 3600
    return next((bound for bound in ANSWER_HOURS if hours <= bound), 0)  # 0: longer than the last bound


def case_counter_keys(f: CaseFacts) -> list[Key]:
    sk = f"{f.district}#{f.category}#{f.status}"
    return [(f"AGG#D#{f.day}", sk), (f"AGG#M#{f.day[:7]}", sk)]


def executor_stats_key(executor_id: str, scope: str = REGION_SCOPE) -> Key:
    return (f"EXECUTOR#{executor_id}", f"STATS{scope}")


def due_key(executor_id: str, day: str, scope: str = REGION_SCOPE) -> Key:
    return (f"EXECUTOR#{executor_id}", f"DUE#{day}{scope}")


def deltas(old: CaseFacts | None, new: CaseFacts) -> dict[Key, dict[str, int]]:
    """Counter increments (item → attribute → delta) that move the counters from `old` to `new`."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, f in ((-1, old), (1, new)):
        if f is None:
            continue
        for key in case_counter_keys(f):
            out[key]["count"] += sign
        for scope in scopes(f) if f.executor else ():
            _count_executor(out, f, sign, scope)
    return {key: {a: d for a, d in attrs.items() if d} for key, attrs in out.items()
            if any(attrs.values())}


def _count_executor(out: dict[Key, dict[str, int]], f: CaseFacts, sign: int, scope: str) -> None:
    assert f.executor is not None
    stats = out[executor_stats_key(f.executor, scope)]
    stats["open"] += sign if f.due_day else 0
    stats["overdue"] += sign if f.overdue else 0
    stats["final_answers"] += sign * f.final_answers
    stats["returned_answers"] += sign * f.returned_answers
    if f.answer_bucket is not None:
        stats[f"answer_h_{f.answer_bucket}"] += sign
    if f.due_day:
        out[due_key(f.executor, f.due_day, scope)]["count"] += sign


def median_hours(histogram: dict[int, int]) -> float | None:
    """The median of the answer-time histogram, as the upper bound of the bucket that holds it."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for bound in (*ANSWER_HOURS, 0):
        seen += histogram.get(bound, 0)
        if seen * 2 >= total:
            return float(bound) if bound else float("inf")
    return None


def period_partitions(start: date, end: date) -> list[str]:
    """Counter partitions covering [start, end]: whole months as month items, the rest as days."""
    keys: list[str] = []
    day = start
    while day <= end:
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if day.day == 1 and month_end <= end:
            keys.append(f"AGG#M#{day.isoformat()[:7]}")
            day = month_end + timedelta(days=1)
        else:
            keys.append(f"AGG#D#{day.isoformat()}")
            day += timedelta(days=1)
    return keys


def on_day(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).date().isoformat()
