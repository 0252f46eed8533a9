"""Applying the analytics counters (domain/aggregates.py) with the case's own write."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.aggregates import CaseFacts, Key, deltas, facts
from chalicelib.domain.case import Case

REGION_TZ = ZoneInfo("Europe/Moscow")


def recount(case: Case, tz: ZoneInfo) -> tuple[dict[Key, dict[str, int]], CaseFacts]:
    """The counter increments this save makes, and what the counters will count afterwards."""
    now = facts(case, tz)
    return deltas(case.counted_as, now), now


def dynamo_updates(table: str, changes: dict[Key, dict[str, int]], serialize: Any) -> list[dict[str, Any]]:
    updates = []
    for (pk, sk), attrs in changes.items():
        names = {f"#a{i}": name for i, name in enumerate(attrs)}
        values = {f":d{i}": delta for i, delta in enumerate(attrs.values())}
        adds = ", ".join(f"#a{i} :d{i}" for i in range(len(attrs)))
        updates.append({"Update": {
            "TableName": table, "Key": serialize({"pk": pk, "sk": sk}),
            "UpdateExpression": f"SET #t = :t ADD {adds}",
            "ExpressionAttributeNames": {**names, "#t": "type"},
            "ExpressionAttributeValues": serialize({**values, ":t": "counter"})}})
    return updates
