"""The VK Callback API settings of each community whose events we take, from the environment.

    VK_CONFIRMATION_CODE   the string VK asks the server to return when it is confirmed
    VK_SECRET              the «Секретный ключ» set in the community's Callback API settings
    VK_GROUPS              several communities: {"<group_id>": {"confirmation_code": "…", "secret": "…"}}

A community listed in VK_GROUPS uses its own pair; any other uses VK_CONFIRMATION_CODE and VK_SECRET.
A community with no secret gets no events taken (403): only the confirmation is answered.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field


class VkConfigError(ValueError):
    pass


@dataclass(frozen=True)
class VkGroupConfig:
    confirmation_code: str = ""
    secret: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.confirmation_code or self.secret)


@dataclass(frozen=True)
class VkConfig:
    default: VkGroupConfig = VkGroupConfig()
    groups: dict[int, VkGroupConfig] = field(default_factory=dict)

    def group(self, group_id: int) -> VkGroupConfig | None:
        """The community's settings; None when we do not serve it at all."""
        found = self.groups.get(group_id, self.default)
        return found if found.configured else None

    @classmethod
    def from_env(cls) -> VkConfig:
        return cls(default=VkGroupConfig(os.environ.get("VK_CONFIRMATION_CODE", ""), os.environ.get("VK_SECRET", "")),
                   groups=parse_groups(os.environ.get("VK_GROUPS", "")))


def parse_groups(raw: str) -> dict[int, VkGroupConfig]:
    """VK_GROUPS as JSON; a malformed value stops the start with a message saying what is wrong."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
        return {int(group_id): VkGroupConfig(str(conf.get("confirmation_code", "")), str(conf.get("secret", "")))
                for group_id, conf in data.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise VkConfigError('VK_GROUPS must be JSON like {"123": {"confirmation_code": "…", "secret": "…"}}'
                            ) from exc
