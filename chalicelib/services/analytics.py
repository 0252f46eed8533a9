"""Dashboards from the counters: the overdue board per executor and the heat map per district.

Both read a handful of counter items (domain/aggregates.py), never the cases themselves. Each user
sees the counters of its scope: a municipal operator its district's, a sector curator its sectors'.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from chalicelib.adapters.ports import CounterStore
from chalicelib.api.admin_schemas import HeatmapQuery
from chalicelib.api.errors import bad_field
from chalicelib.auth.operators import Principal, Role
from chalicelib.domain.aggregates import (
    ANSWER_HOURS,
    REGION_SCOPE,
    Key,
    district_scope,
    due_key,
    executor_stats_key,
    median_hours,
    period_partitions,
    sector_scope,
)
from chalicelib.domain.sectors import SECTORS
from chalicelib.services.deps import Dependencies
from chalicelib.services.operators import FORBIDDEN

DEFAULT_DAYS = 30
DEFAULT_SECTOR = "roads"  # the sector of Samara's rule


def _counters(deps: Dependencies) -> CounterStore:
    if not isinstance(deps.cases, CounterStore):
        raise TypeError("the case repository keeps no counters")
    return deps.cases


def _may_see_dashboards(principal: Principal) -> None:
    if principal.role is Role.EXECUTOR:
        raise FORBIDDEN


def _scopes(principal: Principal) -> list[str]:
    """Which executor counters the user's board adds up (domain/aggregates.py `scopes`)."""
    if principal.role is Role.MUNICIPAL_OPERATOR:
        return [district_scope(principal.municipality or "")]
    if principal.role is Role.SECTOR_CURATOR:
        return [sector_scope(s) for s in principal.sectors]
    return [REGION_SCOPE]


def board(deps: Dependencies, principal: Principal) -> dict[str, Any]:
    _may_see_dashboards(principal)
    today = deps.clock().astimezone(deps.region.tz).date().isoformat()
    scopes = _scopes(principal)
    executors = list(deps.executors.values())
    found = _counters(deps).counter_items([k for e in executors for scope in scopes for k in (
        executor_stats_key(e.id, scope), due_key(e.id, today, scope))])
    rows: list[dict[str, Any]] = []
    for e in executors:
        stats = _sum(found, [executor_stats_key(e.id, scope) for scope in scopes])
        own = principal.municipality is not None and e.territory == principal.municipality  # shown at zero too
        if scopes == [REGION_SCOPE] or own or any(stats.values()):
            rows.append(_row(e.id, e.name, stats, _sum(found, [due_key(e.id, today, s) for s in scopes])))
    rows.sort(key=lambda r: (-r["overdue"], -r["open"], r["name"]))
    return {"executors": rows, "generated_at": deps.clock().isoformat()}


def _sum(found: dict[Key, dict[str, int]], keys: list[Key]) -> Counter[str]:
    total: Counter[str] = Counter()
    for key in keys:
        total.update(found.get(key, {}))
    return total


def _row(executor_id: str, name: str, stats: Counter[str], due: Counter[str]) -> dict[str, Any]:
    finals = stats.get("final_answers", 0)
    histogram = {bound: stats.get(f"answer_h_{bound}", 0) for bound in (*ANSWER_HOURS, 0)}
    return {"id": executor_id, "name": name, "open": stats.get("open", 0), "overdue": stats.get("overdue", 0),
            "due_today": due.get("count", 0), "median_hours_to_answer": median_hours(histogram),
            "returned_share": round(stats.get("returned_answers", 0) / finals, 3) if finals else None}


def heatmap(deps: Dependencies, principal: Principal, query: HeatmapQuery) -> dict[str, Any]:
    """Appeals per 1,000 residents by district; a municipal operator gets its district only, a sector
    curator its own sectors only (403 for another)."""
    _may_see_dashboards(principal)
    sector = query.sector or (principal.sectors[0] if principal.role is Role.SECTOR_CURATOR and principal.sectors
                              else DEFAULT_SECTOR)
    if sector not in SECTORS:
        raise bad_field("sector", "Неизвестный сектор")
    if principal.role is Role.SECTOR_CURATOR and sector not in principal.sectors:
        raise FORBIDDEN
    end = query.to or deps.clock().astimezone(deps.region.tz).date()
    start = query.from_ or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise bad_field("from", "Начало периода позже конца")
    now = _appeals_by_district(deps, sector, start, end)
    before = _appeals_by_district(deps, sector, _year_earlier(start), _year_earlier(end))
    districts = []
    for m in deps.region.municipalities.values():
        if principal.role is Role.MUNICIPAL_OPERATOR and m.id != principal.municipality:
            continue
        per_1000 = _per_1000(now[m.id], m.population)
        districts.append({"id": m.id, "name": m.name, "population": m.population, "count": now[m.id],
                          "per_1000": per_1000, "red": per_1000 is not None and per_1000 >= query.threshold,
                          "last_year_count": before[m.id], "last_year_per_1000": _per_1000(before[m.id], m.population)})
    return {"sector": sector, "sector_name": SECTORS[sector], "from": start.isoformat(),
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
