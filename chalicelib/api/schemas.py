"""Request and response models of the public API (pydantic v2, strict, unknown fields refused)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from chalicelib import reference
from chalicelib.domain.attachments import MAX_ATTACHMENTS, RESIDENT_PREFIX, is_upload_key
from chalicelib.domain.consent import CONSENT_REQUIRED
from chalicelib.domain.sectors import SECTORS

MAX_TEXT = 5000
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9()\- ]{5,20}$"
ATTACHMENT_KEY_PATTERN = r"^(?!.*\.\.)[A-Za-z0-9/_.\-]{1,300}$"
Source = Literal["widget", "social", "phone", "email", "operator"]


def _attachment_key(key: str) -> str:
    if not re.fullmatch(ATTACHMENT_KEY_PATTERN, key):
        raise ValueError("Неверный ключ вложения")
    return key


def _resident_upload(key: str) -> str:
    if not is_upload_key(key, RESIDENT_PREFIX):
        raise ValueError("Неверный ключ вложения: прикрепить можно только файл, загруженный через /v1/uploads")
    return key


AttachmentKey = Annotated[str, AfterValidator(_attachment_key)]
ResidentUploadKey = Annotated[str, AfterValidator(_resident_upload)]


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
    consent: bool = Field(False, validate_default=True,
                          description="Согласие на обработку персональных данных (152-ФЗ); обязательно с контактами")
    source: Source = "widget"
    attachments: list[ResidentUploadKey] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

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

    @field_validator("consent")
    @classmethod
    def _consent_with_contact(cls, value: bool, info: ValidationInfo) -> bool:
        contact = info.data.get("contact")
        if contact is not None and any(contact.model_dump().values()) and not value:
            raise ValueError(CONSENT_REQUIRED)
        return value


# DynamoDB keys hold at most 2048 bytes; an idempotency key is a client's UUID or similar token.
IDEMPOTENCY_KEY_MAX = 200
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:~+/=-]+$"


def _idempotency_key(value: str) -> str:
    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, value):
        raise ValueError("Допустимы латинские буквы, цифры и знаки . _ : ~ + / = -, без пробелов")
    return value


IdempotencyKey = Annotated[str, Field(min_length=1, max_length=IDEMPOTENCY_KEY_MAX,
                                      json_schema_extra={"pattern": IDEMPOTENCY_KEY_PATTERN}),
                           AfterValidator(_idempotency_key)]


class AppealHeaders(BaseModel):
    """The headers `POST /v1/appeals` reads."""

    model_config = ConfigDict(extra="ignore")
    idempotency_key: IdempotencyKey | None = Field(None, alias="Idempotency-Key")


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


class NotifyMessage(StepMessage):
    """The notify queue carries the pipeline's notify step and, with `webhook_id`, one webhook attempt."""

    webhook_id: str | None = Field(None, min_length=1, max_length=200)
    attempt: int = Field(0, ge=0)


class CaseListQuery(_Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    status: str | None = None
    overdue: bool | None = Field(None, description="только просроченные (true) или только в срок (false)")
    category: str | None = Field(None, max_length=100, description="категория рубрикатора")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2000)


class AnswerIn(_Strict):
    kind: Literal["interim", "final"]
    text: str = Field(min_length=1, max_length=10_000)
    attachments: list[AttachmentKey] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)



class ClarificationIn(_Strict):
    question: str = Field(min_length=1, max_length=2000)


class DeclineIn(_Strict):
    reason: str = Field(min_length=1, max_length=2000)


class ResidentClarificationIn(_Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class RatingIn(_Strict):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=2000)


class ReopenIn(_Strict):
    reason: str = Field(min_length=1, max_length=2000)


class UploadRequest(_Strict):
    filename: str = Field(min_length=1, max_length=200)
    content_type: str = Field(min_length=1, max_length=100)
    size: int = Field(ge=1)
