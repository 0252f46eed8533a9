"""Attachments in S3 (moto): an appeal may refer only to a file whose upload finished (HeadObject)."""

import boto3
import pytest

from chalicelib.adapters.s3 import S3AttachmentStorage
from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import AppealIn, UploadRequest
from chalicelib.services import intake, uploads


def test_only_an_uploaded_file_can_be_attached(moto_deps, stack):
    bucket = stack["AttachmentsBucketName"]
    moto_deps.storage = S3AttachmentStorage(bucket, boto3.client("s3"))
    presigned = uploads.presign(moto_deps, uploads.RESIDENT_PREFIX,
                                UploadRequest(filename="двор.jpg", content_type="image/jpeg", size=1000))
    key = str(presigned["key"])
    appeal = AppealIn(text="Во дворе дома 12 не вывозят мусор, контейнеры переполнены", attachments=[key])
    with pytest.raises(ApiError) as missing:
        intake.submit_appeal(moto_deps, appeal)
    assert missing.value.status == 422 and missing.value.fields[0]["field"] == "attachments.0"
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=b"\xff\xd8jpeg", ContentType="image/jpeg")
    accepted = intake.submit_appeal(moto_deps, appeal)
    assert moto_deps.cases.get(accepted.id).attachments == (key,)
    assert not moto_deps.storage.exists(key + "x")
