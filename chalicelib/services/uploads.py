"""Presigned uploads of photos, video and documents: type and size limited, key bound to its owner.

A key is `<prefix><random id>/<safe file name>` (domain.attachments); a case may refer only to keys of
that form whose file has actually been uploaded.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.api.errors import ApiError, bad_field
from chalicelib.api.schemas import UploadRequest
from chalicelib.domain.attachments import LIMITS, MB, RESIDENT_PREFIX, display_name, is_upload_key, new_upload_key
from chalicelib.services.deps import Dependencies

EXPIRES_S = 15 * 60
DOWNLOAD_EXPIRES_S = 15 * 60
__all__ = ["RESIDENT_PREFIX", "download_links", "presign", "require_form", "require_uploaded"]


def presign(deps: Dependencies, prefix: str, request: UploadRequest) -> dict[str, object]:
    limit = LIMITS.get(request.content_type)
    if limit is None:
        raise bad_field("content_type", "Допустимы JPEG, PNG, WebP, HEIC, MP4, MOV и PDF",
                        "Такой тип файла не принимается")
    extension, max_bytes = limit
    if request.size > max_bytes:
        raise bad_field("size", f"Не больше {max_bytes // MB} МБ", "Файл слишком большой")
    key = new_upload_key(prefix, request.filename, extension)
    upload = deps.storage.presign_upload(key, request.content_type, max_bytes, EXPIRES_S)
    return {"key": key, "url": upload["url"], "fields": upload["fields"], "max_bytes": max_bytes,
            "expires_in": EXPIRES_S}


def _refuse(problems: list[tuple[int, str]], summary: str) -> None:
    if problems:
        raise ApiError(422, "validation_error", summary,
                       [{"field": f"attachments.{i}", "message": message} for i, message in problems])


def require_form(keys: Sequence[str], prefix: str, message: str) -> None:
    """422 naming each key that is not an upload key under `prefix`."""
    _refuse([(i, message) for i, key in enumerate(keys) if not is_upload_key(key, prefix)], "Проверьте вложения")


def require_uploaded(deps: Dependencies, keys: Sequence[str]) -> None:
    """422 naming each key whose file is not in the attachments bucket (the upload never finished)."""
    _refuse([(i, "Файл не загружен: загрузите его ещё раз") for i, key in enumerate(keys)
             if not deps.storage.exists(key)], "Не все файлы загружены")


def download_links(deps: Dependencies, keys: Sequence[str]) -> list[dict[str, str]]:
    """Short-lived links to read the files, with the names people see."""
    return [{"name": display_name(key), "url": deps.storage.presign_download(key, DOWNLOAD_EXPIRES_S)}
            for key in keys]
