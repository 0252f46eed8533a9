"""DynamoDB adapters: the case repository, the executor directory and the idempotency store."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.adapters.case_items import (
    CASE_SK,
    EVENT_PREFIX,
    GAVE_UP,
    LISTINGS,
    case_pk,
    case_to_item,
    event_to_item,
    item_to_case,
    item_to_event,
    item_to_owed,
    owed_sk,
    owed_to_item,
)
from chalicelib.adapters.counters import REGION_TZ, dynamo_updates, recount
from chalicelib.adapters.ports import (
    AlreadyExists,
    CaseRepository,
    ConcurrentUpdate,
    CounterStore,
    ExecutorDirectory,
    ExecutorEndpoint,
    IdempotencyRecord,
    IdempotencyStore,
)
from chalicelib.adapters.watch_items import COUNTERS_SK, DEADLINE_SHARD, executor_pk
from chalicelib.domain.aggregates import Key, facts
from chalicelib.domain.case import Case, CaseEvent
from chalicelib.domain.deadline_watch import CounterChange, ExecutorCounters, counter_changes, overdue_holder
from chalicelib.domain.owed_effects import OWED_STEP, OwedEffects
from chalicelib.domain.social import CONNECTOR_PREFIX

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


def _counts(item: dict[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in item.items() if k not in ("pk", "sk", "type")}


def _condition_failed(exc: ClientError) -> bool:
    code = exc.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return True
    reasons = exc.response.get("CancellationReasons", [])
    return code == "TransactionCanceledException" and any(
        r.get("Code") == "ConditionalCheckFailed" for r in reasons)


def query_items(db: Any, table: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every page of a query (or up to its `Limit`), as plain Python items."""
    limit = kwargs.get("Limit")
    items: list[dict[str, Any]] = []
    while True:
        page = db.query(TableName=table, **kwargs)
        items.extend(from_dynamo(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page or (limit and len(items) >= limit):
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class DynamoCaseRepository(CaseRepository, CounterStore):
    def __init__(self, table: str, client: Any = None, tz: ZoneInfo = REGION_TZ) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")
        self._tz = tz

    def _write(self, case: Case, condition: str, values: dict[str, Any], owed: OwedEffects | None) -> None:
        put_case: dict[str, Any] = {"Put": {
            "TableName": self._table, "Item": to_dynamo(case_to_item(case, case.version + 1)),
            "ConditionExpression": condition}}
        if values:
            put_case["Put"]["ExpressionAttributeValues"] = to_dynamo(values)
        events = [{"Put": {"TableName": self._table,
                           "Item": to_dynamo(event_to_item(case.id, e, case.version * 100 + i))}}
                  for i, e in enumerate(case.new_events)]
        counters = self._counter_updates(counter_changes(case))  # in the same transaction
        analytics, counted = recount(case, self._tz)
        items: list[Any] = [put_case, *events, *counters, *dynamo_updates(self._table, analytics, to_dynamo)]
        if owed is not None:
            items.append({"Put": {"TableName": self._table, "Item": to_dynamo(owed_to_item(owed))}})
        self._db.transact_write_items(TransactItems=items)
        case.counted_as = counted
        case.version += 1
        case.new_events = []
        case.overdue_counted_for = overdue_holder(case)

    def _counter_updates(self, changes: list[CounterChange]) -> list[dict[str, Any]]:
        """The executors' overdue counters, changed with the case's own write (see watch_items)."""
        return [{"Update": {
            "TableName": self._table, "Key": to_dynamo({"pk": executor_pk(c.executor_id), "sk": COUNTERS_SK}),
            "UpdateExpression": "SET #type = :type ADD overdue_open :open, overdue_total :total",
            "ExpressionAttributeNames": {"#type": "type"},
            "ExpressionAttributeValues": to_dynamo({":type": "executor_counters", ":open": c.open,
                                                    ":total": c.total}),
        }} for c in changes]

    def _case(self, item: dict[str, Any]) -> Case:
        case = item_to_case(item)
        case.counted_as = facts(case, self._tz)
        return case

    def counter_items(self, keys: list[Key]) -> dict[Key, dict[str, int]]:
        found: dict[Key, dict[str, int]] = {}
        for start in range(0, len(keys), 100):
            chunk = [to_dynamo({"pk": pk, "sk": sk}) for pk, sk in keys[start:start + 100]]
            request: dict[str, Any] = {self._table: {"Keys": chunk}}
            while request:
                page = self._db.batch_get_item(RequestItems=request)
                for raw in page["Responses"].get(self._table, []):
                    item = from_dynamo(raw)
                    found[(item["pk"], item["sk"])] = _counts(item)
                request = page.get("UnprocessedKeys") or {}
        return found

    def counter_partition(self, pk: str) -> dict[str, dict[str, int]]:
        items = self._query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues=to_dynamo({":pk": pk}))
        return {i["sk"]: _counts(i) for i in items}

    def add(self, case: Case, owed: OwedEffects | None = None) -> None:
        try:
            self._write(case, "attribute_not_exists(pk)", {}, owed)
        except ClientError as exc:
            if _condition_failed(exc):
                raise AlreadyExists(case.id) from exc
            raise

    def save(self, case: Case, owed: OwedEffects | None = None) -> None:
        try:
            self._write(case, "version = :expected", {":expected": case.version}, owed)
        except ClientError as exc:
            if _condition_failed(exc):
                raise ConcurrentUpdate(case.id) from exc
            raise

    def get(self, case_id: str) -> Case | None:
        found = self._db.get_item(TableName=self._table, ConsistentRead=True,
                                  Key=to_dynamo({"pk": case_pk(case_id), "sk": CASE_SK}))
        return self._case(from_dynamo(found["Item"])) if "Item" in found else None

    def events(self, case_id: str) -> list[CaseEvent]:
        items = self._query(KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                            ExpressionAttributeValues=to_dynamo({":pk": case_pk(case_id),
                                                                 ":prefix": EVENT_PREFIX}))
        return [item_to_event(i) for i in items]

    def waiting_since(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        items = self._query(IndexName="by_pending", Limit=limit,
                            KeyConditionExpression="pending_step = :step AND pending_since < :before",
                            ExpressionAttributeValues=to_dynamo({":step": step, ":before": before.isoformat()}))
        return [self._case(i) for i in items]

    def given_up(self, step: str, before: datetime, limit: int = 100) -> list[Case]:
        items = self._query(IndexName="by_pending", Limit=limit,
                            KeyConditionExpression="pending_step = :step AND pending_since BETWEEN :low AND :high",
                            ExpressionAttributeValues=to_dynamo({":step": step, ":low": GAVE_UP,
                                                                 ":high": GAVE_UP + before.isoformat()}))
        return [self._case(i) for i in items]

    def owed_since(self, before: datetime, limit: int = 100, given_up: bool = False) -> list[OwedEffects]:
        # Given up sorts after every date (GAVE_UP), like a case's step: see case_items.pending_sort_key.
        since = "pending_since BETWEEN :low AND :before" if given_up else "pending_since < :before"
        values = {":step": OWED_STEP, ":before": (GAVE_UP if given_up else "") + before.isoformat()}
        items = self._query(IndexName="by_pending", Limit=limit,
                            KeyConditionExpression=f"pending_step = :step AND {since}",
                            ExpressionAttributeValues=to_dynamo(values | ({":low": GAVE_UP} if given_up else {})))
        return [item_to_owed(i) for i in items[:limit]]

    def keep_owed(self, owed: OwedEffects) -> None:
        try:
            self._db.put_item(TableName=self._table, Item=to_dynamo(owed_to_item(owed)),
                              ConditionExpression="attribute_exists(pk)")
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def settle(self, owed: OwedEffects) -> None:
        self._db.delete_item(TableName=self._table,
                             Key=to_dynamo({"pk": case_pk(owed.case_id), "sk": owed_sk(owed.seq)}))

    def due_before(self, when: datetime, limit: int = 100) -> list[Case]:
        # ISO strings with offsets only sort correctly in one zone: the index holds UTC.
        items = self._query(IndexName="by_deadline", Limit=limit,
                            KeyConditionExpression="deadline_shard = :shard AND next_action_at <= :when",
                            ExpressionAttributeValues=to_dynamo({":shard": DEADLINE_SHARD,
                                                                 ":when": when.astimezone(UTC).isoformat()}))
        return [self._case(i) for i in items[:limit]]

    def followable_near(self, geo_keys: list[str], limit: int = 50) -> list[Case]:
        found: list[Case] = []
        for key in geo_keys:
            items = self._query(IndexName="by_geo", Limit=limit, KeyConditionExpression="geo_key = :k",
                                ExpressionAttributeValues=to_dynamo({":k": key}))
            found.extend(self._case(i) for i in items)
        return found

    def overdue_counts(self, executor_ids: list[str]) -> dict[str, ExecutorCounters]:
        counts = {e: ExecutorCounters(e) for e in executor_ids}
        for start in range(0, len(executor_ids), 100):  # BatchGetItem takes 100 keys
            keys = [to_dynamo({"pk": executor_pk(e), "sk": COUNTERS_SK}) for e in executor_ids[start:start + 100]]
            request: dict[str, Any] = {self._table: {"Keys": keys}}
            while request:
                page = self._db.batch_get_item(RequestItems=request)
                for raw in page.get("Responses", {}).get(self._table, []):
                    item = from_dynamo(raw)
                    executor = item["pk"].removeprefix("EXECUTOR#")
                    counts[executor] = ExecutorCounters(executor, int(item.get("overdue_open", 0)),
                                                        int(item.get("overdue_total", 0)))
                request = page.get("UnprocessedKeys") or {}
        return counts

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        return query_items(self._db, self._table, **kwargs)

    def listing(self, index: str, value: str, limit: int, cursor: str | None,
                since: datetime | None = None, until: datetime | None = None) -> tuple[list[Case], str | None]:
        bounds = {":a": (since or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC).isoformat(),
                  ":b": (until or datetime(2100, 1, 1, tzinfo=UTC)).astimezone(UTC).isoformat()}
        kwargs: dict[str, Any] = {
            "IndexName": index, "Limit": limit, "ScanIndexForward": False,
            "KeyConditionExpression": f"{LISTINGS[index]} = :v AND created_utc BETWEEN :a AND :b",
            "ExpressionAttributeValues": to_dynamo({":v": value, **bounds})}
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor)
        page = self._db.query(TableName=self._table, **kwargs)
        last = page.get("LastEvaluatedKey")
        return [self._case(from_dynamo(i)) for i in page.get("Items", [])], encode_cursor(last) if last else None

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
        cases = [self._case(from_dynamo(i)) for i in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return cases, encode_cursor(last) if last else None

    def log_events(self, case_id: str, events: list[CaseEvent], tag: str) -> None:
        puts: list[Any] = [{"Put": {"TableName": self._table,
                         "Item": to_dynamo(event_to_item(case_id, e, f"{tag}.{i:02d}"))}}
                for i, e in enumerate(events)]
        if puts:
            self._db.transact_write_items(TransactItems=puts)


def endpoint_pk(target_id: str) -> str:
    """Webhook targets: executors under EXECUTOR#<id>, social-media connectors (`connector:vk`) under CONNECTOR#vk."""
    if target_id.startswith(CONNECTOR_PREFIX):
        return "CONNECTOR#" + target_id.removeprefix(CONNECTOR_PREFIX)
    return f"EXECUTOR#{target_id}"


class DynamoExecutorDirectory(ExecutorDirectory):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    @staticmethod
    def _key(executor_id: str) -> dict[str, Any]:
        return to_dynamo({"pk": endpoint_pk(executor_id), "sk": "ENDPOINT"})

    def endpoint(self, executor_id: str) -> ExecutorEndpoint | None:
        found = self._db.get_item(TableName=self._table, Key=self._key(executor_id))
        if "Item" not in found:
            return None
        item = from_dynamo(found["Item"])
        return ExecutorEndpoint(executor_id=executor_id, url=item["url"], secrets=tuple(item["secrets"]),
                                active=bool(item.get("active", True)),
                                previous_expires_at=_optional_dt(item.get("previous_expires_at")),
                                disabled_at=_optional_dt(item.get("disabled_at")),
                                disabled_reason=item.get("disabled_reason", ""))

    def save_endpoint(self, endpoint: ExecutorEndpoint) -> None:
        item = {"pk": endpoint_pk(endpoint.executor_id), "sk": "ENDPOINT", "type": "executor_endpoint",
                "url": endpoint.url, "secrets": list(endpoint.secrets), "active": endpoint.active,
                "previous_expires_at": _optional_iso(endpoint.previous_expires_at),
                "disabled_at": _optional_iso(endpoint.disabled_at), "disabled_reason": endpoint.disabled_reason}
        self._db.put_item(TableName=self._table, Item=to_dynamo({k: v for k, v in item.items() if v is not None}))


def _optional_iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _optional_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


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
