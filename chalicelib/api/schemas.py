"""Request and response models of the public API (pydantic v2, strict, unknown fields refused)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from chalicelib import reference
from chalicelib.domain.sectors import SECTORS

MAX_TEXT = 5000
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9()\- ]{5,20}$"
ATTACHMENT_KEY_PATTERN = r"^(?!.*\.\.)[A-Za-z0-9/_.\-]{1,300}$"
Source = Literal["widget", "social", "phone", "email", "operator"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class ContactIn(_Strict):
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254, pattern=EMAIL_PATTERN)
    phone: str | None = Field(None, max_length=32, pattern=PHONE_PATTERN)


class AppealIn(_Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    sector: str | None = None
    address: str | None = Field(None, max_length=500)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180, validate_default=True)
    municipality: str | None = None
    contact: ContactIn | None = None
    source: Source = "widget"
    attachments: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, value: str | None) -> str | None:
        if value is not None and value not in SECTORS:
            raise ValueError("Неизвестный сектор")
        return value

    @field_validator("municipality")
    @classmethod
    def _known_municipality(cls, value: str | None) -> str | None:
        if value is not None and value not in reference.region().municipalities:
            raise ValueError("Неизвестное муниципальное образование")
        return value

    @field_validator("lon")
    @classmethod
    def _both_coordinates(cls, value: float | None, info: ValidationInfo) -> float | None:
        if (value is None) != (info.data.get("lat") is None) and "lat" in info.data:
            raise ValueError("Укажите обе координаты: широту и долготу")
        return value

    @field_validator("attachments")
    @classmethod
    def _attachment_keys(cls, keys: list[str]) -> list[str]:
        if any(not re.fullmatch(ATTACHMENT_KEY_PATTERN, key) for key in keys):
            raise ValueError("Неверный ключ вложения")
        return keys


class AppealAccepted(BaseModel):
    id: str
    token: str
    status: str
    status_url: str


class StepMessage(BaseModel):
    """What travels on the pipeline queues: just enough to find the case again."""

    model_config = ConfigDict(extra="ignore")
    case_id: str = Field(min_length=1, max_length=64)
    correlation_id: str = ""
    step: str
