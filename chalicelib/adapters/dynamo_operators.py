"""Operator accounts for the stages without Cognito (dev, local): `OPERATOR#<username>` items."""

from __future__ import annotations

from typing import Any

import boto3

from chalicelib.adapters.dynamo import from_dynamo, to_dynamo
from chalicelib.adapters.ports import OperatorDirectory
from chalicelib.auth.operators import OperatorUser, Principal, Role


class DynamoOperatorDirectory(OperatorDirectory):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    def get(self, username: str) -> OperatorUser | None:
        found = self._db.get_item(TableName=self._table, Key=to_dynamo({"pk": f"OPERATOR#{username}", "sk": "PROFILE"}))
        if "Item" not in found:
            return None
        item = from_dynamo(found["Item"])
        return OperatorUser(Principal(username=username, role=Role(item["role"]), name=item.get("name", ""),
                                      municipality=item.get("municipality"), sectors=tuple(item.get("sectors", ())),
                                      executor_id=item.get("executor_id")), item["password_hash"])

    def save(self, user: OperatorUser) -> None:
        p = user.principal
        item = {"pk": f"OPERATOR#{p.username}", "sk": "PROFILE", "type": "operator", "role": p.role.value,
                "name": p.name, "municipality": p.municipality, "sectors": list(p.sectors) or None,
                "executor_id": p.executor_id, "password_hash": user.password_hash}
        self._db.put_item(TableName=self._table, Item=to_dynamo({k: v for k, v in item.items() if v is not None}))
