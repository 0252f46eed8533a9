"""DynamoDB adapters: the case repository, the executor directory and the idempotency store."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.adapters.case_items import (
    CASE_SK,
    DEADLINE_SHARD,
    DELIVERY_PREFIX,
    EVENT_PREFIX,
    case_pk,
    case_to_item,
    event_to_item,
    item_to_case,
    item_to_event,
)
from chalicelib.adapters.ports import (
    AlreadyExists,
    CaseRepository,
    ConcurrentUpdate,
    ExecutorDirectory,
    ExecutorEndpoint,
    IdempotencyRecord,
    IdempotencyStore,
)
from chalicelib.domain.case import Case, CaseEvent

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
IDEMPOTENCY_TTL_S = 24 * 3600


def to_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise ValueError("malformed cursor") from exc
    if not isinstance(key, dict):
        raise ValueError("malformed cursor")
    return key


def _condition_failed(exc: ClientError) -> bool:
    code = exc.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return True
    reasons = exc.response.get("CancellationReasons", [])
    return code == "TransactionCanceledException" and any(
        r.get("Code") == "ConditionalCheckFailed" for r in reasons)


class DynamoCaseRepository(CaseRepository):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    def _write(self, case: Case, condition: str, values: dict[str, Any]) -> None:
        put_case: dict[str, Any] = {"Put": {
            "TableName": self._table, "Item": to_dynamo(case_to_item(case, case.version + 1)),
            "ConditionExpression": condition}}
        if values:
            put_case["Put"]["ExpressionAttributeValues"] = to_dynamo(values)
        events = [{"Put": {"TableName": self._table,
                           "Item": to_dynamo(event_to_item(case.id, e, case.version * 100 + i))}}
                  for i, e in enumerate(case.new_events)]
        items: list[Any] = [put_case, *events]
        self._db.transact_write_items(TransactItems=items)
        case.version += 1
        case.new_events = []

    def add(self, case: Case) -> None:
        try:
            self._write(case, "attribute_not_exists(pk)", {})
        except ClientError as exc:
            if _condition_failed(exc):
                raise AlreadyExists(case.id) from exc
            raise

    def save(self, case: Case) -> None:
        try:
            self._write(case, "version = :expected", {":expected": case.version})
        except ClientError as exc:
            if _condition_failed(exc):
                raise ConcurrentUpdate(case.id) from exc
            raise

    def get(self, case_id: str) -> Case | None:
        found = self._db.get_item(TableName=self._table, ConsistentRead=True,
                                  Key=to_dynamo({"pk": case_pk(case_id), "sk": CASE_SK}))
        return item_to_case(from_dynamo(found["Item"])) if "Item" in found else None

    def events(self, case_id: str) -> list[CaseEvent]:
        items = self._query(KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                            ExpressionAttributeValues=to_dynamo({":pk": case_pk(case_id),
                                                                 ":prefix": EVENT_PREFIX}))
        return [item_to_event(i) for i in items]

    def waiting_since(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        items = self._query(IndexName="by_pending", Limit=limit,
                            KeyConditionExpression="pending_step = :step AND pending_since < :before",
                            ExpressionAttributeValues=to_dynamo({":step": step, ":before": before.isoformat()}))
        return [item_to_case(i) for i in items]

    def due_before(self, when: datetime, limit: int = 100) -> list[Case]:
        # ISO strings with offsets only sort correctly in one zone: deadlines are stored in UTC.
        items = self._query(IndexName="by_deadline", Limit=limit,
                            KeyConditionExpression="deadline_shard = :shard AND deadline_at <= :when",
                            ExpressionAttributeValues=to_dynamo({":shard": DEADLINE_SHARD,
                                                                 ":when": when.isoformat()}))
        return [item_to_case(i) for i in items]

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        limit = kwargs.get("Limit")
        items: list[dict[str, Any]] = []
        while True:
            page = self._db.query(TableName=self._table, **kwargs)
            items.extend(from_dynamo(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page or (limit and len(items) >= limit):
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def of_executor(self, executor_id: str, status: str | None, limit: int, cursor: str | None
                    ) -> tuple[list[Case], str | None]:
        condition = "executor_id = :e" + (" AND begins_with(status_created, :s)" if status else "")
        values = {":e": executor_id, **({":s": f"{status}#"} if status else {})}
        kwargs: dict[str, Any] = {"IndexName": "by_executor", "Limit": limit, "ScanIndexForward": False,
                                  "KeyConditionExpression": condition, "ExpressionAttributeValues": to_dynamo(values)}
        if cursor:
            start = decode_cursor(cursor)
            if start.get("executor_id") != {"S": executor_id}:
                raise ValueError("cursor of another listing")
            kwargs["ExclusiveStartKey"] = start
        page = self._db.query(TableName=self._table, **kwargs)
        cases = [item_to_case(from_dynamo(i)) for i in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return cases, encode_cursor(last) if last else None

    def mark_delivered(self, case_id: str, delivery_id: str, at: datetime) -> bool:
        try:
            self._db.put_item(TableName=self._table, ConditionExpression="attribute_not_exists(pk)",
                              Item=to_dynamo({"pk": case_pk(case_id), "sk": DELIVERY_PREFIX + delivery_id,
                                              "type": "delivery", "delivered_at": at.isoformat()}))
            return True
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise

    def is_delivered(self, case_id: str, delivery_id: str) -> bool:
        found = self._db.get_item(TableName=self._table, ConsistentRead=True,
                                  Key=to_dynamo({"pk": case_pk(case_id), "sk": DELIVERY_PREFIX + delivery_id}))
        return "Item" in found


class DynamoExecutorDirectory(ExecutorDirectory):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    @staticmethod
    def _key(executor_id: str) -> dict[str, Any]:
        return to_dynamo({"pk": f"EXECUTOR#{executor_id}", "sk": "ENDPOINT"})

    def endpoint(self, executor_id: str) -> ExecutorEndpoint | None:
        found = self._db.get_item(TableName=self._table, Key=self._key(executor_id))
        if "Item" not in found:
            return None
        item = from_dynamo(found["Item"])
        return ExecutorEndpoint(executor_id=executor_id, url=item["url"], secrets=tuple(item["secrets"]),
                                active=bool(item.get("active", True)))

    def save_endpoint(self, endpoint: ExecutorEndpoint) -> None:
        item = {"pk": f"EXECUTOR#{endpoint.executor_id}", "sk": "ENDPOINT", "type": "executor_endpoint",
                "url": endpoint.url, "secrets": list(endpoint.secrets), "active": endpoint.active}
        self._db.put_item(TableName=self._table, Item=to_dynamo(item))


class DynamoIdempotencyStore(IdempotencyStore):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    def begin(self, key: str, fingerprint: str) -> IdempotencyRecord | None:
        now = int(time.time())
        try:
            self._db.put_item(
                TableName=self._table,
                Item=to_dynamo({"id": key, "fingerprint": fingerprint, "expires_at": now + IDEMPOTENCY_TTL_S}),
                ConditionExpression="attribute_not_exists(id) OR expires_at < :now",
                ExpressionAttributeValues=to_dynamo({":now": now}))
            return None
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
        item = from_dynamo(self._db.get_item(TableName=self._table, Key=to_dynamo({"id": key}),
                                             ConsistentRead=True)["Item"])
        response = json.loads(item["response"]) if "response" in item else None
        return IdempotencyRecord(key=key, fingerprint=item["fingerprint"], response=response)

    def complete(self, key: str, response: dict[str, Any]) -> None:
        self._db.update_item(TableName=self._table, Key=to_dynamo({"id": key}),
                             UpdateExpression="SET #r = :r", ExpressionAttributeNames={"#r": "response"},
                             ExpressionAttributeValues=to_dynamo({":r": json.dumps(response)}))

    def release(self, key: str) -> None:
        self._db.delete_item(TableName=self._table, Key=to_dynamo({"id": key}))
