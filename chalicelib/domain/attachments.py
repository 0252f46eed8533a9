"""Where uploaded files live and which keys a case may refer to.

Plain Python. Every upload gets a key of its own, `<prefix><random id>/<safe file name>`: the random
id (128 bits) cannot be guessed, so nobody can point an appeal at a file someone else uploaded, and
the prefix binds the file to its owner (`uploads/` for residents, `cases/<id>/` for the executor of
that case). A key of any other shape (another case's file, the admin page, a bare `uploads/x.jpg`)
is refused.
"""

from __future__ import annotations

import re
import secrets

MB = 1024 * 1024
LIMITS = {  # content type → (file extension, largest size)
    "image/jpeg": ("jpg", 10 * MB), "image/png": ("png", 10 * MB), "image/webp": ("webp", 10 * MB),
    "image/heic": ("heic", 10 * MB), "video/mp4": ("mp4", 50 * MB), "video/quicktime": ("mov", 50 * MB),
    "application/pdf": ("pdf", 10 * MB),
}
RESIDENT_PREFIX = "uploads/"
MAX_ATTACHMENTS = 10
MAX_STEM = 60
_EXTENSIONS = "|".join(sorted({extension for extension, _ in LIMITS.values()}))
_NAME = rf"[0-9a-f]{{32}}/[a-z0-9][a-z0-9_-]{{0,{MAX_STEM - 1}}}\.(?:{_EXTENSIONS})"
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                      "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def case_prefix(case_id: str) -> str:
    return f"cases/{case_id}/"


def safe_filename(filename: str, extension: str) -> str:
    """`Фото двора (1).JPG` → `foto_dvora_1.jpg`: Latin letters, digits, `_` and `-`, the type's extension."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in stem.lower())
    cleaned = re.sub(r"[^a-z0-9-]+", "_", latin).strip("_-")[:MAX_STEM].rstrip("_-")
    return f"{cleaned or 'file'}.{extension}"


def new_upload_key(prefix: str, filename: str, extension: str) -> str:
    return f"{prefix}{secrets.token_hex(16)}/{safe_filename(filename, extension)}"


def is_upload_key(key: str, prefix: str) -> bool:
    """Whether `key` is of the form `new_upload_key` gives under `prefix`."""
    return re.fullmatch(re.escape(prefix) + _NAME, key) is not None


def display_name(key: str) -> str:
    """The file name shown to people: the key's last part."""
    return key.rsplit("/", 1)[-1]
