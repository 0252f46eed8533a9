"""Dashboards from the counters: the overdue board per executor and the heat map per district.

Both read a handful of counter items (domain/aggregates.py), never the cases themselves.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from chalicelib.adapters.ports import CounterStore
from chalicelib.adapters.watch_items import COUNTERS_SK, executor_pk
from chalicelib.api.admin_schemas import HeatmapQuery
from chalicelib.api.errors import bad_field
from chalicelib.auth.operators import Principal
from chalicelib.domain.aggregates import ANSWER_HOURS, due_key, executor_stats_key, median_hours, period_partitions
from chalicelib.domain.sectors import SECTORS
from chalicelib.services.deps import Dependencies
from chalicelib.services.operators import FORBIDDEN

DEFAULT_DAYS = 30


def _counters(deps: Dependencies) -> CounterStore:
    if not isinstance(deps.cases, CounterStore):
        raise TypeError("the case repository keeps no counters")
    return deps.cases


def _may_see_dashboards(principal: Principal) -> None:
    if principal.role.value == "executor":
        raise FORBIDDEN


def board(deps: Dependencies, principal: Principal) -> dict[str, Any]:
    _may_see_dashboards(principal)
    today = deps.clock().astimezone(deps.region.tz).date().isoformat()
    executors = list(deps.executors.values())
    keys = [k for e in executors for k in (executor_stats_key(e.id), due_key(e.id, today),
                                           (executor_pk(e.id), COUNTERS_SK))]
    found = _counters(deps).counter_items(keys)
    rows: list[dict[str, Any]] = []
    for e in executors:
        stats = found.get(executor_stats_key(e.id), {})
        finals = stats.get("final_answers", 0)
        histogram = {bound: stats.get(f"answer_h_{bound}", 0) for bound in (*ANSWER_HOURS, 0)}
        rows.append({"id": e.id, "name": e.name, "open": stats.get("open", 0),
                     "overdue": found.get((executor_pk(e.id), COUNTERS_SK), {}).get("overdue_open", 0),
                     "due_today": found.get(due_key(e.id, today), {}).get("count", 0),
                     "median_hours_to_answer": median_hours(histogram),
                     "returned_share": round(stats.get("returned_answers", 0) / finals, 3) if finals else None})
    rows.sort(key=lambda r: (-r["overdue"], -r["open"], r["name"]))
    return {"executors": rows, "generated_at": deps.clock().isoformat()}


def heatmap(deps: Dependencies, principal: Principal, query: HeatmapQuery) -> dict[str, Any]:
    _may_see_dashboards(principal)
    if query.sector not in SECTORS:
        raise bad_field("sector", "Неизвестный сектор")
    end = query.to or deps.clock().astimezone(deps.region.tz).date()
    start = query.from_ or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise bad_field("from", "Начало периода позже конца")
    now = _appeals_by_district(deps, query.sector, start, end)
    before = _appeals_by_district(deps, query.sector, _year_earlier(start), _year_earlier(end))
    districts = []
    for m in deps.region.municipalities.values():
        per_1000 = _per_1000(now[m.id], m.population)
        districts.append({"id": m.id, "name": m.name, "population": m.population, "count": now[m.id],
                          "per_1000": per_1000, "red": per_1000 is not None and per_1000 >= query.threshold,
                          "last_year_count": before[m.id], "last_year_per_1000": _per_1000(before[m.id], m.population)})
    return {"sector": query.sector, "sector_name": SECTORS[query.sector], "from": start.isoformat(),
            "to": end.isoformat(), "threshold": query.threshold, "districts": districts}


def _appeals_by_district(deps: Dependencies, sector: str, start: date, end: date) -> Counter[str]:
    in_sector = {c.id for c in deps.rubricator if c.sector == sector}
    counts: Counter[str] = Counter()
    for pk in period_partitions(start, end):
        for sk, attrs in _counters(deps).counter_partition(pk).items():
            district, category, _status = sk.split("#", 2)
            if category in in_sector:
                counts[district] += attrs.get("count", 0)
    return counts


def _per_1000(count: int, population: int | None) -> float | None:
    return round(count * 1000 / population, 2) if population else None


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
