"""Presigned uploads of photos, video and documents: type and size limited, key bound to its owner."""

from __future__ import annotations

import uuid

from chalicelib.api.errors import bad_field
from chalicelib.api.schemas import UploadRequest
from chalicelib.services.deps import Dependencies

MB = 1024 * 1024
LIMITS = {  # content type → (file extension, largest size)
    "image/jpeg": ("jpg", 10 * MB), "image/png": ("png", 10 * MB), "image/webp": ("webp", 10 * MB),
    "image/heic": ("heic", 10 * MB), "video/mp4": ("mp4", 50 * MB), "video/quicktime": ("mov", 50 * MB),
    "application/pdf": ("pdf", 10 * MB),
}
EXPIRES_S = 15 * 60
RESIDENT_PREFIX = "uploads/"


def presign(deps: Dependencies, prefix: str, request: UploadRequest) -> dict[str, object]:
    limit = LIMITS.get(request.content_type)
    if limit is None:
        raise bad_field("content_type", "Допустимы JPEG, PNG, WebP, HEIC, MP4, MOV и PDF",
                        "Такой тип файла не принимается")
    extension, max_bytes = limit
    if request.size > max_bytes:
        raise bad_field("size", f"Не больше {max_bytes // MB} МБ", "Файл слишком большой")
    key = f"{prefix}{uuid.uuid4().hex}.{extension}"
    upload = deps.storage.presign_upload(key, request.content_type, max_bytes, EXPIRES_S)
    return {"key": key, "url": upload["url"], "fields": upload["fields"], "max_bytes": max_bytes,
            "expires_in": EXPIRES_S}
