"""Normalising residents' Russian text: case, «ё», VK mentions, links, phone numbers."""

from __future__ import annotations

import re

_VK_MENTION = re.compile(r"\[(?:club|id|public)\d+\|([^\]]*)\]")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[a-zа-я0-9]+")


def normalise(text: str) -> str:
    text = _VK_MENTION.sub(r"\1", text)
    text = _URL.sub(" ", text)
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def has_url(text: str) -> bool:
    return bool(_URL.search(text))
