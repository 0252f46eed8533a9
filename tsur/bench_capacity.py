"""The DynamoDB capacity units a call consumes on demand, worked out from the call itself.

moto answers every call with the same `ConsumedCapacity`, so the pipeline bench cannot read it from the
answers; it applies DynamoDB's billing rules to the requests instead:

- a write: 1 WCU per KB of the item, 2 in a transaction; and for each global secondary index of the
  table (read from infra/template.json; all project ALL) 1 WCU per KB when the item enters the index or
  changes in it, 2 when its index key changes (the old entry is deleted, the new one put), 1 when it
  leaves. What the index held is the item last written under the same key, which the meter remembers;
- a read: per 4 KB, 1 RCU strongly consistent, 0.5 eventually consistent (every index query).

Item sizes are those of the request's typed JSON, a little above DynamoDB's own count.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from tsur.local.template import TEMPLATE_PATH

Item = dict[str, Any]


def _index_keys(path: Any = TEMPLATE_PATH) -> dict[str, list[tuple[str, ...]]]:
    """Table name suffix («cases») → the key attributes of each of its global secondary indexes."""
    resources = json.loads(path.read_text())["Resources"]
    tables = {}
    for resource in resources.values():
        if resource.get("Type") == "AWS::DynamoDB::Table":
            props = resource["Properties"]
            suffix = props["TableName"]["Fn::Sub"].rsplit("-", 1)[-1]
            tables[suffix] = [tuple(k["AttributeName"] for k in gsi["KeySchema"])
                              for gsi in props.get("GlobalSecondaryIndexes", [])]
    return tables


def _size(item: Any) -> int:
    return len(json.dumps(item, ensure_ascii=False).encode())


def _kb(item: Item) -> int:
    return max(1, math.ceil(_size(item) / 1024))


def _reads(items: list[Item], consistent: bool) -> float:
    units = math.ceil(sum(map(_size, items)) / 4096) or 1
    return float(units) if consistent else 0.5 * units


class CapacityMeter:
    def __init__(self) -> None:
        self._indexes = _index_keys()
        self._held: dict[tuple[str, str, str], Item] = {}

    def call(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> tuple[float, float]:
        """(WCU, RCU) of one call."""
        if operation in ("TransactWriteItems", "BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem"):
            writes = list(_writes(operation, params))
            if "Error" in parsed:  # a refused write still costs its items' units; the indexes keep what they held
                return sum(factor * _kb(item or {}) for _, item, _, factor in writes), 0.0
            return sum(self._write(*w) for w in writes), 0.0
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            return 0.0, _reads([parsed.get("Item", {})], consistent)
        if operation == "Query":
            return 0.0, _reads(parsed.get("Items", []), consistent)
        if operation == "BatchGetItem":
            return 0.0, sum(_reads([i], consistent) for items in parsed.get("Responses", {}).values() for i in items)
        return 0.0, 0.0

    def _write(self, table: str, item: Item | None, key: Item, factor: float) -> float:
        """`item`: the new item (None for an update, whose result the request does not show, or a delete)."""
        indexes = self._indexes.get(table.rsplit("-", 1)[-1], [])
        held_key = (table, json.dumps(key.get("pk")), json.dumps(key.get("sk")))
        old = self._held.pop(held_key, None)
        units = factor * _kb(item or {})
        if item is None:
            return units + sum(_kb(old) for attrs in indexes if old and _in_index(old, attrs))
        self._held[held_key] = item
        for attrs in indexes:
            entry_before = old if old is not None and _in_index(old, attrs) else None
            if _in_index(item, attrs):
                units += _kb(item)  # the entry put (or rewritten in place)
                if entry_before is not None and any(entry_before.get(a) != item.get(a) for a in attrs):
                    units += _kb(entry_before)  # a key change deletes the old entry too
            elif entry_before is not None:
                units += _kb(entry_before)  # the item left the index
        return units


def _in_index(item: Item, attrs: tuple[str, ...]) -> bool:
    return all(a in item for a in attrs)


def _writes(operation: str, params: dict[str, Any]) -> Iterator[tuple[str, Item | None, Item, float]]:
    """(table, new item or None, key, WCU factor) per item the call writes."""
    if operation == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            (kind, body), = entry.items()
            if kind != "ConditionCheck":
                yield _one(kind, body, 2.0)
    elif operation == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                (kind, body), = request.items()
                yield _one(kind.removesuffix("Request").capitalize(), {**body, "TableName": table}, 1.0)
    else:
        yield _one(operation.removesuffix("Item"), params, 1.0)


def _one(kind: str, body: dict[str, Any], factor: float) -> tuple[str, Item | None, Item, float]:
    item = body.get("Item") if kind == "Put" else None
    return body["TableName"], item, item if item is not None else body.get("Key", {}), factor
