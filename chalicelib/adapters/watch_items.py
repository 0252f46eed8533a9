"""The item layout of what routing and deadlines keep on a case, its index keys, and the counters.

Kept apart from case_items.py so that module only calls in here (see the README's data model).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import duplicates
from chalicelib.domain.case import Case
from chalicelib.domain.deadline_clock import DeadlineClock
from chalicelib.domain.deadline_watch import next_action_at, overdue_holder

DEADLINE_SHARD = "open"  # one partition is enough for a region; shard by suffix if it ever is not
COUNTERS_SK = "COUNTERS"


def executor_pk(executor_id: str) -> str:
    return f"EXECUTOR#{executor_id}"


def clock_to_item(clock: DeadlineClock | None) -> dict[str, Any] | None:
    if clock is None:
        return None
    return {"started_at": clock.started_at.isoformat(), "done": clock.done,
            "paused_at": clock.paused_at.isoformat() if clock.paused_at else None,
            "paused_s": int(clock.paused_total.total_seconds())}


def item_to_clock(raw: dict[str, Any] | None) -> DeadlineClock | None:
    if not raw:
        return None
    paused_at = raw.get("paused_at")
    return DeadlineClock(started_at=datetime.fromisoformat(raw["started_at"]), done=int(raw.get("done", 0)),
                         paused_at=datetime.fromisoformat(paused_at) if paused_at else None,
                         paused_total=timedelta(seconds=int(raw.get("paused_s", 0))))


def watch_attributes(case: Case) -> dict[str, Any]:
    """The case's own fields, plus the sparse index keys: `by_deadline` (the next time the deadline
    check has something to do, UTC) and `by_geo` (open cases others can follow as duplicates)."""
    item: dict[str, Any] = {
        "clock": {k: v for k, v in (clock_to_item(case.clock) or {}).items() if v is not None} or None,
        "overdue_counted_for": overdue_holder(case), "duplicate_of": case.duplicate_of,
        "duplicate_confirmed": case.duplicate_confirmed or None, "own_case": case.own_case or None,
        "linked_cases": list(case.linked_cases) or None,
        "legal_start": case.legal_start.isoformat() if case.legal_start else None,
        "resident_time_s": int(case.resident_time.total_seconds()) or None,
        "resident_asked_at": case.resident_asked_at.isoformat() if case.resident_asked_at else None,
    }
    action_at = next_action_at(case)
    if action_at is not None:
        # ISO strings only sort correctly in one zone: the index holds UTC.
        item.update(deadline_shard=DEADLINE_SHARD, next_action_at=action_at.astimezone(UTC).isoformat())
    geo_key = duplicates.followable_key(case)
    if geo_key is not None:
        item.update(geo_key=geo_key, geo_at=case.created_at.isoformat())
    return item


def watch_fields(item: dict[str, Any]) -> dict[str, Any]:
    """Case constructor arguments from an item written with `watch_attributes`."""
    return {"clock": item_to_clock(item.get("clock")), "overdue_counted_for": item.get("overdue_counted_for"),
            "duplicate_of": item.get("duplicate_of"), "duplicate_confirmed": bool(item.get("duplicate_confirmed")),
            "own_case": bool(item.get("own_case")), "linked_cases": tuple(item.get("linked_cases") or ()),
            "legal_start": _instant(item.get("legal_start")),
            "resident_time": timedelta(seconds=int(item.get("resident_time_s", 0))),
            "resident_asked_at": _instant(item.get("resident_asked_at"))}


def _instant(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None
