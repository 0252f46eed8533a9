"""Normalising residents' Russian text: case, «ё», VK mentions, links, e-mails and phone numbers."""

from __future__ import annotations

import re

_VK_MENTION = re.compile(r"\[(?:club|id|public)\d+\|([^\]]*)\]")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
# A link written without http/www: «vk.com/club1», «t.me/chat». Screening removes these too; `normalise`
# leaves them to the model, whose shipped features were learned with them.
_BARE_LINK = re.compile(r"(?<![\w@.])(?:[a-z0-9-]+\.)+(?:ru|su|com|net|org|info|me|cc|io|ly|рф)(?:/\S*)?(?![\w.])",
                        re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +7 / 8 and ten digits, with spaces, dashes or brackets in between.
_PHONE = re.compile(r"(?<!\d)(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")
_WORD = re.compile(r"[a-zа-я0-9]+")
_LETTERS = re.compile(r"[a-zа-я]+")


def normalise(text: str) -> str:
    """Lower case, «ё» as «е», VK mentions reduced to the name; links, e-mails and phones removed."""
    if "[" in text:  # the cheap checks skip most of the regular expressions on most texts
        text = _VK_MENTION.sub(r" \1 ", text)
    if "http" in text or "www" in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    if "+7" in text or "8" in text:
        text = _PHONE.sub(" ", text)
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def letter_words(text: str) -> list[str]:
    """The words made of letters only (numbers such as house numbers say nothing about the topic)."""
    return _LETTERS.findall(normalise(text))


def has_url(text: str) -> bool:
    return bool(_URL.search(text) or _BARE_LINK.search(text))


def without_links(text: str) -> str:
    return _BARE_LINK.sub(" ", _URL.sub(" ", text))
