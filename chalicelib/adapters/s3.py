"""Attachments go straight from the browser to S3 with a presigned POST: never through a Lambda."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.adapters.ports import AttachmentStorage

# With s3:ListBucket granted (the policies do), a missing key is a 404; a 403 is a real permission problem.
MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3AttachmentStorage(AttachmentStorage):
    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._s3 = client or boto3.client("s3")

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        post: dict[str, Any] = self._s3.generate_presigned_post(
            Bucket=self._bucket, Key=key, ExpiresIn=expires_s,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]])
        return {"url": post["url"], "fields": post["fields"]}

    def presign_download(self, key: str, expires_s: int = 600) -> str:
        url: str = self._s3.generate_presigned_url("get_object", Params={"Bucket": self._bucket, "Key": key},
                                                   ExpiresIn=expires_s)
        return url

    def exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING:
                return False
            raise
        return True
