"""Keeping the local data across restarts: moto holds everything in memory, so we copy it to disk.

Layout under the state folder, keyed by the stack's Output names (so physical names may change):
  dynamodb/<Output>.json        the table's items in DynamoDB's typed JSON ({"S": ...}; binary as base64)
  s3/<Output>/index.json        key → blob file, content type, user metadata, ETag
  s3/<Output>/blobs/<sha256>    object bodies

Only tables and buckets are kept. Messages in flight in SQS are lost at a restart; the app's sweeper
schedule re-enqueues cases that are stuck waiting for a pipeline step, so nothing stays stuck.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tsur.local.runtime import log

BATCH_WRITE_MAX = 25
BINARY_TYPES = ("B", "BS")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _to_json_value(value: Mapping[str, Any]) -> dict[str, Any]:
    """One typed attribute value with bytes turned into base64 text (recursively through M and L)."""
    (kind, inner), = value.items()
    if kind == "B":
        return {kind: base64.b64encode(inner).decode()}
    if kind == "BS":
        return {kind: [base64.b64encode(b).decode() for b in inner]}
    if kind == "M":
        return {kind: {k: _to_json_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {kind: [_to_json_value(v) for v in inner]}
    return {kind: inner}


def _from_json_value(value: Mapping[str, Any]) -> dict[str, Any]:
    (kind, inner), = value.items()
    if kind == "B":
        return {kind: base64.b64decode(inner)}
    if kind == "BS":
        return {kind: [base64.b64decode(b) for b in inner]}
    if kind == "M":
        return {kind: {k: _from_json_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {kind: [_from_json_value(v) for v in inner]}
    return {kind: inner}


class TableState:
    def __init__(self, dynamodb: Any, table_name: str, file: Path) -> None:
        self._ddb = dynamodb
        self.table_name = table_name
        self.file = file
        self._last: bytes | None = None

    def dump(self) -> bool:
        """Write the table out if it changed since the last dump; True when it wrote."""
        items: list[dict[str, Any]] = []
        for page in self._ddb.get_paginator("scan").paginate(TableName=self.table_name, ConsistentRead=True):
            items.extend({k: _to_json_value(v) for k, v in item.items()} for item in page["Items"])
        items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        data = json.dumps({"table": self.table_name, "items": items}, ensure_ascii=False, indent=1).encode()
        if data == self._last:
            return False
        _write_atomic(self.file, data)
        self._last = data
        return True

    def restore(self) -> int:
        if not self.file.is_file():
            return 0
        items = json.loads(self.file.read_text("utf-8"))["items"]
        requests = [{"PutRequest": {"Item": {k: _from_json_value(v) for k, v in item.items()}}} for item in items]
        for start in range(0, len(requests), BATCH_WRITE_MAX):
            pending: dict[str, Any] = {self.table_name: requests[start:start + BATCH_WRITE_MAX]}
            while pending:
                pending = self._ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        return len(items)


class BucketState:
    def __init__(self, s3: Any, bucket: str, folder: Path) -> None:
        self._s3 = s3
        self.bucket = bucket
        self.folder = folder
        self._index_file = folder / "index.json"

    def _load_index(self) -> dict[str, dict[str, Any]]:
        if not self._index_file.is_file():
            return {}
        return dict(json.loads(self._index_file.read_text("utf-8"))["objects"])

    def dump(self) -> bool:
        """Copy new or changed objects, forget deleted ones; True when anything changed."""
        old = self._load_index()
        new: dict[str, dict[str, Any]] = {}
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for obj in page.get("Contents", []):
                key, etag = obj["Key"], obj["ETag"]
                known = old.get(key)
                blob = self.folder / "blobs" / hashlib.sha256(key.encode()).hexdigest()
                if known and known["etag"] == etag and blob.is_file():
                    new[key] = known
                    continue
                got = self._s3.get_object(Bucket=self.bucket, Key=key)
                _write_atomic(blob, got["Body"].read())
                new[key] = {"blob": blob.name, "etag": etag, "content_type": got.get("ContentType"),
                            "metadata": got.get("Metadata", {})}
        for key in old.keys() - new.keys():
            (self.folder / "blobs" / old[key]["blob"]).unlink(missing_ok=True)
        if new == old and self._index_file.is_file():
            return False
        _write_atomic(self._index_file, json.dumps({"bucket": self.bucket, "objects": new},
                                                   ensure_ascii=False, indent=1).encode())
        return True

    def restore(self) -> int:
        index = self._load_index()
        for key, entry in index.items():
            extra = {"ContentType": entry["content_type"]} if entry.get("content_type") else {}
            body = (self.folder / "blobs" / entry["blob"]).read_bytes()
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=body, Metadata=entry.get("metadata") or {},
                                **extra)
        return len(index)


class StateStore:
    """Dumps and restores the stack's tables and buckets, given the stack Outputs."""

    def __init__(self, folder: Path, outputs: Mapping[str, str], dynamodb: Any, s3: Any) -> None:
        self.folder = folder
        self.tables = [TableState(dynamodb, name, folder / "dynamodb" / f"{key}.json")
                       for key, name in sorted(outputs.items()) if key.endswith("TableName")]
        self.buckets = [BucketState(s3, name, folder / "s3" / key)
                        for key, name in sorted(outputs.items()) if key.endswith("BucketName")]
        self._lock = threading.Lock()

    def restore(self) -> dict[str, int]:
        counts = {t.table_name: t.restore() for t in self.tables}
        counts.update({b.bucket: b.restore() for b in self.buckets})
        return counts

    def dump(self) -> bool:
        with self._lock:
            changed = [t.dump() for t in self.tables] + [b.dump() for b in self.buckets]
        return any(changed)

    def run(self, stop: threading.Event, interval_s: float = 15.0) -> None:
        """Dump every `interval_s` until stopped; the caller does the final dump after the workers stop."""
        while not stop.wait(interval_s):
            try:
                self.dump()
            except Exception as exc:
                log.error("saving local state failed: %s", exc)
