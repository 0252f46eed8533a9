"""Posts from social networks (Инцидент Менеджмент): where a post came from and what VK sent about it.

Plain Python. `SocialRef` is stored on the case so the published answer can go back to the same
thread; it is never shown to the public (the author's id is personal data). `vk_post` reads the three
VK Callback API events we take (API 5.x object shapes):

    wall_post_new    object = a wall post:      id, owner_id, from_id, [signer_id], post_type, text
    wall_reply_new   object = a wall comment:   id, from_id, post_id, post_owner_id, text
    board_post_new   object = a topic comment:  id, from_id, topic_id, topic_owner_id, text
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

VK = "vk"
WALL_POST, WALL_REPLY, BOARD_POST = "wall_post", "wall_reply", "board_post"
VK_EVENTS = {"wall_post_new": WALL_POST, "wall_reply_new": WALL_REPLY, "board_post_new": BOARD_POST}
# Wall post types a resident writes; «postpone» is the community's own scheduled post, «copy» a repost.
RESIDENT_POST_TYPES = frozenset({"post", "suggest"})
CONNECTOR_PREFIX = "connector:"


class SocialPayloadError(ValueError):
    """The event's object lacks what we need to find the post again."""


@dataclass(frozen=True)
class SocialRef:
    network: str
    kind: str  # wall_post | wall_reply | board_post
    group_id: int  # the community whose feed the event came through
    owner_id: int  # the wall's (or the topic's) owner: negative for a community
    post_id: int  # the wall post, or the board topic
    author_id: int
    comment_id: int | None = None  # the comment (wall_reply, board_post)
    event_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SocialRef:
        def number(key: str) -> int | None:
            return int(data[key]) if data.get(key) is not None else None

        return cls(network=str(data["network"]), kind=str(data["kind"]), group_id=int(data["group_id"]),
                   owner_id=int(data["owner_id"]), post_id=int(data["post_id"]), author_id=int(data["author_id"]),
                   comment_id=number("comment_id"), event_id=str(data.get("event_id", "")))


@dataclass(frozen=True)
class SocialPost:
    ref: SocialRef
    text: str
    attachments: int = 0

    @property
    def by_a_community(self) -> bool:
        """Written by a community (our own replies come back as events too), not by a resident."""
        return self.ref.author_id < 0


def connector_id(network: str) -> str:
    """The webhook target of a network's connector (`connector:vk`), next to the executors' ids."""
    return CONNECTOR_PREFIX + network


# The connectors there are: webhook targets operators manage like executors' endpoints.
CONNECTORS = {connector_id(VK): "Коннектор VK: ответы под постами и комментариями"}


def vk_post(event_type: str, group_id: int, event_id: str, obj: dict[str, Any] | None) -> SocialPost | None:
    """The post an event is about; None for event types (or post types) we do not take."""
    kind = VK_EVENTS.get(event_type)
    if kind is None or obj is None:
        return None
    if kind == WALL_POST and str(obj.get("post_type", "post")) not in RESIDENT_POST_TYPES:
        return None
    ref = SocialRef(network=VK, kind=kind, group_id=group_id, owner_id=_owner(kind, obj, group_id),
                    post_id=_post_id(kind, obj), author_id=_author(obj),
                    comment_id=None if kind == WALL_POST else _int(obj, "id"), event_id=event_id)
    attachments = obj.get("attachments")
    return SocialPost(ref=ref, text=str(obj.get("text") or "").strip(),
                      attachments=len(attachments) if isinstance(attachments, list) else 0)


def _owner(kind: str, obj: dict[str, Any], group_id: int) -> int:
    if kind == WALL_POST:
        return _int(obj, "owner_id")
    if kind == WALL_REPLY:
        return _int(obj, "post_owner_id") if "post_owner_id" in obj else _int(obj, "owner_id")
    # Board topics belong to the community; VK sends its id (positive) as topic_owner_id.
    return -abs(_int(obj, "topic_owner_id")) if "topic_owner_id" in obj else -group_id


def _post_id(kind: str, obj: dict[str, Any]) -> int:
    return _int(obj, {WALL_POST: "id", WALL_REPLY: "post_id", BOARD_POST: "topic_id"}[kind])


def _author(obj: dict[str, Any]) -> int:
    author = _int(obj, "from_id")
    signer = obj.get("signer_id")
    # A suggested post published by the community carries the resident as its signer.
    return int(signer) if author < 0 and isinstance(signer, int) and signer > 0 else author


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SocialPayloadError(f"object.{key} must be an integer")
    return value
