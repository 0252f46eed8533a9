"""Webhook deliveries in the cases table: `CASE#<case>` / `DLV#<webhook-id>`, one item per webhook-id.

Sparse index `by_delivery` (`delivery_state`, `delivery_at`): only deliveries that are not delivered
carry these attributes. `scheduled` (pending, retrying) is sorted by when the sweeper should send the
next attempt; `parked` and `disabled` by when they got there. So the sweeper reads what is due, and
operators list what waits for them, without a scan.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.adapters.case_items import DELIVERY_PREFIX, case_pk
from chalicelib.adapters.dynamo import _condition_failed, from_dynamo, query_items, to_dynamo
from chalicelib.adapters.ports import ConcurrentUpdate, DeliveryRepository
from chalicelib.domain.delivery import Attempt, Delivery, DeliveryStatus, index_state

INDEX = "by_delivery"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _attempt_item(a: Attempt) -> dict[str, Any]:
    item = {"at": a.at.isoformat(), "number": a.number, "status": a.status,
            "latency_ms": Decimal(str(a.latency_ms)), "error": a.error}
    return {k: v for k, v in item.items() if v is not None}


def delivery_to_item(d: Delivery, version: int) -> dict[str, Any]:
    state = index_state(d.status)
    item: dict[str, Any] = {
        "pk": case_pk(d.case_id), "sk": DELIVERY_PREFIX + d.id, "type": "delivery", "id": d.id,
        "case_id": d.case_id, "executor_id": d.executor_id, "event_type": d.event_type, "body": d.body,
        "created_at": d.created_at.isoformat(), "correlation_id": d.correlation_id, "announce": d.announce,
        "status": d.status.value, "status_at": _iso(d.status_at), "attempts": [_attempt_item(a) for a in d.attempts],
        "attempt_count": d.attempt_count, "round_attempts": d.round_attempts,
        "round_started_at": _iso(d.round_started_at), "next_attempt_at": _iso(d.next_attempt_at),
        "sweep_at": _iso(d.sweep_at), "sweeps": d.sweeps, "last_error": d.last_error, "version": version,
    }
    if state:  # ISO strings sort correctly only in one zone: every time here is UTC
        item["delivery_state"] = state
        when = d.sweep_at if state == "scheduled" else d.status_at
        item["delivery_at"] = _iso(when.astimezone(UTC) if when else None)
    return {k: v for k, v in item.items() if v is not None and v != ""}


def item_to_delivery(item: dict[str, Any]) -> Delivery:
    return Delivery(
        id=item["id"], case_id=item["case_id"], executor_id=item["executor_id"], event_type=item["event_type"],
        body=item["body"], created_at=datetime.fromisoformat(item["created_at"]),
        correlation_id=item.get("correlation_id", ""), announce=item.get("announce", ""),
        status=DeliveryStatus(item["status"]), status_at=_dt(item.get("status_at")),
        attempts=[Attempt(at=datetime.fromisoformat(a["at"]), number=int(a["number"]),
                          status=int(a["status"]) if "status" in a else None,
                          latency_ms=float(a["latency_ms"]), error=a.get("error"))
                  for a in item.get("attempts", [])],
        attempt_count=int(item.get("attempt_count", 0)), round_attempts=int(item.get("round_attempts", 0)),
        round_started_at=_dt(item.get("round_started_at")), next_attempt_at=_dt(item.get("next_attempt_at")),
        sweep_at=_dt(item.get("sweep_at")), sweeps=int(item.get("sweeps", 0)),
        last_error=item.get("last_error", ""), version=int(item["version"]),
    )


class DynamoDeliveryRepository(DeliveryRepository):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    def _put(self, delivery: Delivery, condition: str, values: dict[str, Any]) -> None:
        extra: dict[str, Any] = {"ExpressionAttributeValues": to_dynamo(values)} if values else {}
        self._db.put_item(TableName=self._table, Item=to_dynamo(delivery_to_item(delivery, delivery.version + 1)),
                          ConditionExpression=condition, **extra)
        delivery.version += 1

    def add(self, delivery: Delivery) -> bool:
        try:
            self._put(delivery, "attribute_not_exists(pk)", {})
            return True
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise

    def save(self, delivery: Delivery) -> None:
        try:
            self._put(delivery, "version = :expected", {":expected": delivery.version})
        except ClientError as exc:
            if _condition_failed(exc):
                raise ConcurrentUpdate(delivery.id) from exc
            raise

    def get(self, case_id: str, webhook_id: str) -> Delivery | None:
        found = self._db.get_item(TableName=self._table, ConsistentRead=True,
                                  Key=to_dynamo({"pk": case_pk(case_id), "sk": DELIVERY_PREFIX + webhook_id}))
        item = from_dynamo(found["Item"]) if "Item" in found else None
        return item_to_delivery(item) if item and "event_type" in item else None

    def of_case(self, case_id: str) -> list[Delivery]:
        items = self._query(KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                            ExpressionAttributeValues=to_dynamo({":pk": case_pk(case_id),
                                                                 ":prefix": DELIVERY_PREFIX}))
        return [item_to_delivery(i) for i in items if "event_type" in i]  # older items: only a mark

    def scheduled_before(self, when: datetime, limit: int = 100) -> list[Delivery]:
        items = self._query(IndexName=INDEX, Limit=limit,
                            KeyConditionExpression="delivery_state = :state AND delivery_at <= :when",
                            ExpressionAttributeValues=to_dynamo({":state": "scheduled",
                                                                 ":when": when.astimezone(UTC).isoformat()}))
        return [item_to_delivery(i) for i in items[:limit]]

    def in_state(self, state: str, limit: int = 100) -> list[Delivery]:
        items = self._query(IndexName=INDEX, Limit=limit, KeyConditionExpression="delivery_state = :state",
                            ExpressionAttributeValues=to_dynamo({":state": state}))
        return [item_to_delivery(i) for i in items[:limit]]

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        return query_items(self._db, self._table, **kwargs)
