"""Request models of the operators' API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginIn(_Body):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class CaseQuery(_Query):
    status: str | None = None
    sector: str | None = None
    category: str | None = None
    executor: str | None = None
    municipality: str | None = None
    overdue: bool | None = None
    source: str | None = None
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=4000)


class ReasonIn(_Body):
    reason: str = Field(min_length=1, max_length=2000)


class CategoryIn(_Body):
    category: str = Field(min_length=1, max_length=100)


class QuestionIn(_Body):
    question: str = Field(min_length=1, max_length=2000)


class ReassignIn(_Body):
    executor_id: str | None = Field(None, max_length=100)
    reason: str = Field(min_length=1, max_length=2000)


class HeatmapQuery(_Query):
    sector: str | None = None  # by default roads, or a sector curator's first sector
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    threshold: float = Field(15.0, ge=0)


class DeliveryQuery(_Query):
    status: str = Field("parked", pattern="^(parked|disabled|scheduled)$")
    executor: str | None = None
    limit: int = Field(100, ge=1, le=500)


class RedriveIn(_Body):
    message_ids: list[str] | None = Field(None, max_length=100)


class ApiKeyIn(_Body):
    label: str = Field("", max_length=100, description="Чей это ключ: например, «учётная система района»")


class ApiKeyOut(BaseModel):
    """An executor's API key as operators see it: never the key itself."""

    key_id: str
    executor_id: str
    label: str
    created_at: str
    revoked_at: str | None
    active: bool


class IssuedApiKeyOut(ApiKeyOut):
    key: str = Field(description="Сам ключ tsk_…: показывается один раз, сохраняется только его хеш")


class ApiKeysOut(BaseModel):
    keys: list[ApiKeyOut]
