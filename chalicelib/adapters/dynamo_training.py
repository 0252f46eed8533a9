"""Operators' category choices as training examples, in the cases table: `TRAINING` / `CASE#<case id>`.

One partition, keyed by case: a later choice for the same case overwrites the earlier one, and the
export for `tsur train` is one paginated Query.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import boto3

from chalicelib.adapters.dynamo import query_items, to_dynamo
from chalicelib.adapters.ports import TrainingExample, TrainingExamples

TRAINING_PK = "TRAINING"


def example_to_item(e: TrainingExample) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": TRAINING_PK, "sk": f"CASE#{e.case_id}", "type": "training_example",
                            "case_id": e.case_id, "category": e.category, "text": e.text, "actor": e.actor,
                            "at": e.at.isoformat(), "predicted": e.predicted,
                            "confidence": None if e.confidence is None else Decimal(str(e.confidence))}
    return {k: v for k, v in item.items() if v is not None}


def item_to_example(item: dict[str, Any]) -> TrainingExample:
    confidence = item.get("confidence")
    return TrainingExample(case_id=item["case_id"], category=item["category"], text=item["text"],
                           actor=item["actor"], at=datetime.fromisoformat(item["at"]),
                           predicted=item.get("predicted"),
                           confidence=None if confidence is None else float(confidence))


class DynamoTrainingExamples(TrainingExamples):
    def __init__(self, table: str, client: Any = None) -> None:
        self._table = table
        self._db = client or boto3.client("dynamodb")

    def add(self, example: TrainingExample) -> None:
        self._db.put_item(TableName=self._table, Item=to_dynamo(example_to_item(example)))

    def all(self, limit: int | None = None) -> list[TrainingExample]:
        query: dict[str, Any] = {"KeyConditionExpression": "pk = :pk",
                                 "ExpressionAttributeValues": to_dynamo({":pk": TRAINING_PK})}
        if limit:
            query["Limit"] = limit
        return [item_to_example(i) for i in query_items(self._db, self._table, **query)][:limit]
