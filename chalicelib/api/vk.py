"""The VK Callback API request envelope.

VK adds fields over time, so unknown ones are ignored; `object`'s shape depends on `type` and is read
by chalicelib.domain.social.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class VkCallbackIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str = Field(min_length=1, max_length=64)
    group_id: int = Field(ge=1)
    event_id: str = Field("", max_length=128)
    secret: str | None = Field(None, max_length=256)
    v: str = Field("", max_length=16)
    object: dict[str, Any] | None = None
