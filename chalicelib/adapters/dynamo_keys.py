"""Executor API keys in the cases table: one item by key id, one under the executor for listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamo import from_dynamo, to_dynamo
from chalicelib.adapters.ports import ApiKeyStore
from chalicelib.auth.api_keys import ApiKey


def _keys(key: ApiKey) -> list[dict[str, str]]:
    return [{"pk": f"APIKEY#{key.key_id}", "sk": "KEY"},
            {"pk": f"EXECUTOR#{key.executor_id}", "sk": f"APIKEY#{key.key_id}"}]


def _to_key(item: dict[str, Any]) -> ApiKey:
    revoked = item.get("revoked_at")
    return ApiKey(item["key_id"], item["executor_id"], item["key_hash"], datetime.fromisoformat(item["created_at"]),
                  datetime.fromisoformat(revoked) if revoked else None, label=item.get("label", ""))


class DynamoApiKeyStore(ApiKeyStore):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    def add(self, key: ApiKey) -> None:
        body = {"type": "api_key", "key_id": key.key_id, "executor_id": key.executor_id,
                "key_hash": key.key_hash, "created_at": key.created_at.isoformat(),
                **({"label": key.label} if key.label else {})}
        self._db.transact_write_items(TransactItems=[
            {"Put": {"TableName": self._table, "Item": to_dynamo({**k, **body}),
                     "ConditionExpression": "attribute_not_exists(pk)"}} for k in _keys(key)])

    def get(self, key_id: str) -> ApiKey | None:
        found = self._db.get_item(TableName=self._table, Key=to_dynamo({"pk": f"APIKEY#{key_id}", "sk": "KEY"}))
        return _to_key(from_dynamo(found["Item"])) if "Item" in found else None

    def of_executor(self, executor_id: str) -> list[ApiKey]:
        page = self._db.query(TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                              ExpressionAttributeValues=to_dynamo({":pk": f"EXECUTOR#{executor_id}",
                                                                   ":p": "APIKEY#"}))
        return [_to_key(from_dynamo(i)) for i in page.get("Items", [])]

    def revoke(self, key_id: str, at: datetime) -> bool:
        key = self.get(key_id)
        if key is None or not key.active:
            return False
        try:
            self._db.transact_write_items(TransactItems=[
                {"Update": {"TableName": self._table, "Key": to_dynamo(k),
                            "UpdateExpression": "SET revoked_at = :at",
                            "ConditionExpression": "attribute_not_exists(revoked_at)",
                            "ExpressionAttributeValues": to_dynamo({":at": at.isoformat()})}} for k in _keys(key)])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True
