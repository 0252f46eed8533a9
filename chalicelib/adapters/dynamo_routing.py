"""The region's loaded routing rules in the cases table, and a short-lived cache in front of them.

`REGION#routing` / `CURRENT` is the version in force; `REGION#routing` / `V#<version>` keeps each
version as it was loaded, for the record. The document is stored gzip-compressed: the few hundred
rules `tsur routing suggest` writes stay far below DynamoDB's 400 KB per item. A new version is one
transaction: the current item, on condition that it still is the version being replaced, and the
version's own record, which must not exist yet. Of two operators loading at once, one wins and the
other gets ConcurrentUpdate.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamo import _condition_failed, from_dynamo, to_dynamo
from chalicelib.adapters.ports import ConcurrentUpdate, RoutingRulesStore
from chalicelib.domain.routing_rules import LoadedRouting

ROUTING_PK = "REGION#routing"
CURRENT_SK = "CURRENT"
CACHE_TTL_S = 60.0  # how soon every Lambda container uses newly loaded rules


def routing_to_item(loaded: LoadedRouting, sk: str) -> dict[str, Any]:
    document = json.dumps(loaded.document, ensure_ascii=False, separators=(",", ":")).encode()
    return {"pk": ROUTING_PK, "sk": sk, "type": "routing_rules", "version": loaded.version,
            "loaded_at": loaded.loaded_at.isoformat(), "loaded_by": loaded.loaded_by, "source": loaded.source,
            "rules": len(loaded.document.get("rules", [])), "document_gz": gzip.compress(document)}


def item_to_routing(item: dict[str, Any]) -> LoadedRouting:
    packed = item["document_gz"]
    raw = packed.value if hasattr(packed, "value") else packed
    return LoadedRouting(document=json.loads(gzip.decompress(raw)), version=int(item["version"]),
                         loaded_at=datetime.fromisoformat(item["loaded_at"]), loaded_by=item["loaded_by"],
                         source=item.get("source", ""))


class DynamoRoutingRules(RoutingRulesStore):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    def current(self) -> LoadedRouting | None:
        found = self._db.get_item(TableName=self._table, ConsistentRead=True,
                                  Key=to_dynamo({"pk": ROUTING_PK, "sk": CURRENT_SK}))
        return item_to_routing(from_dynamo(found["Item"])) if "Item" in found else None

    def save(self, loaded: LoadedRouting) -> None:
        current: dict[str, Any] = {"TableName": self._table, "Item": to_dynamo(routing_to_item(loaded, CURRENT_SK))}
        if loaded.version == 1:
            current["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            current.update(ConditionExpression="version = :previous",
                           ExpressionAttributeValues=to_dynamo({":previous": loaded.version - 1}))
        record = {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                  "Item": to_dynamo(routing_to_item(loaded, f"V#{loaded.version:06d}"))}
        puts: list[Any] = [{"Put": current}, {"Put": record}]
        try:
            self._db.transact_write_items(TransactItems=puts)
        except ClientError as exc:
            if _condition_failed(exc):
                raise ConcurrentUpdate(f"routing rules version {loaded.version} was taken") from exc
            raise


class CachedRoutingRules(RoutingRulesStore):
    """Reads the store at most once per `ttl_s`: the assign step routes many cases in between."""

    def __init__(self, inner: RoutingRulesStore, ttl_s: float = CACHE_TTL_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._inner, self._ttl_s, self._monotonic = inner, ttl_s, monotonic
        self._value: LoadedRouting | None = None
        self._expires_at: float | None = None

    def current(self) -> LoadedRouting | None:
        now = self._monotonic()
        if self._expires_at is None or now >= self._expires_at:
            self._value = self._inner.current()
            self._expires_at = now + self._ttl_s
        return self._value

    def save(self, loaded: LoadedRouting) -> None:
        self._inner.save(loaded)
        self._expires_at = None
