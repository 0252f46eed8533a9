"""moto's DynamoDB made to behave like DynamoDB under concurrent writers, for the local stack and tests.

moto backs up every table a transaction names by deep-copying it once per item, to roll back on
failure. At a few thousand items every transaction then costs a tenth of a second, and in server mode
(threads) the copy races with other requests' writes ("dictionary changed size during iteration", a
500). Backing up only the items the transaction names, and restoring them when it is cancelled, gives
the same outcome: moto writes nothing outside those items.

moto also checks a write's condition and applies it in two steps with no lock, so two threads of the
server can both pass `version = :expected`. `serialised_writes` runs DynamoDB's writes one at a time,
as the real service does per item: a conditional write then fails for the loser, as it would in AWS.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def rollback_only_touched_items() -> Iterator[None]:
    import moto.dynamodb.models as models

    class NoTableCopy:
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, models.Table) else copy.deepcopy(value, memo)

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        touched = []
        for item in transact_items:
            op = next(iter(item.values()))
            table = self.get_table(op["TableName"])
            key = op.get("Key") or {k: op["Item"][k] for k in (table.hash_key_attr, table.range_key_attr) if k}
            current = self.get_item(op["TableName"], key)
            touched.append((op["TableName"], key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
        try:
            original(self, transact_items)
        except models.TransactionCanceledException:
            for table_name, key, attributes in touched:
                if attributes is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, attributes)
            raise

    saved_copy = models.copy
    models.copy = NoTableCopy  # type: ignore[assignment]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        models.copy = saved_copy  # type: ignore[assignment]
        models.DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]


WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")


@contextmanager
def serialised_writes() -> Iterator[None]:
    import moto.dynamodb.models as models

    lock = threading.RLock()
    originals = {name: getattr(models.DynamoDBBackend, name) for name in WRITES
                 if hasattr(models.DynamoDBBackend, name)}

    def locked(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def under_lock(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)
        return under_lock

    for name, method in originals.items():
        setattr(models.DynamoDBBackend, name, locked(method))
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(models.DynamoDBBackend, name, method)


@contextmanager
def like_dynamodb() -> Iterator[None]:
    """Both, and SQS receives without a recount (tsur/local/moto_sqs.py): what the local stack runs moto with."""
    from tsur.local.moto_sqs import retention_check_without_recount

    with rollback_only_touched_items(), serialised_writes(), retention_check_without_recount():
        yield
