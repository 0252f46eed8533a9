"""Moderation screening at intake: content that an operator must look at before anyone acts on it."""

from __future__ import annotations

import re

from chalicelib.domain.text import has_url, words

_TEST_WORDS = {"test", "тест", "проверка", "asdf", "qwerty"}
# Roots of common Russian obscenities; matched at word starts, which is crude but errs toward review.
_OBSCENE_ROOTS = ("хуй", "хуе", "хуё", "пизд", "ебан", "ебат", "бля", "муда", "залуп")
_LETTER = re.compile(r"[a-zа-яё]", re.IGNORECASE)

MIN_WORDS = 3


def screening_reason(text: str) -> str | None:
    """Why the text needs an operator before classification, or None when it can go on."""
    tokens = words(text)
    letters = [t for t in tokens if _LETTER.search(t)]
    if not letters:
        return "Нет текста: только ссылки, цифры или эмодзи" if has_url(text) or text.strip() else "Пустое обращение"
    if set(letters) <= _TEST_WORDS:
        return "Тестовое сообщение"
    if any(t.startswith(root) for t in letters for root in _OBSCENE_ROOTS):
        return "Нецензурная лексика"
    if len(letters) < MIN_WORDS:
        return "Слишком мало фактов для работы"
    if len(set(letters)) * 4 < len(letters) and len(letters) > 20:
        return "Подозрение на спам: повторяющийся текст"
    return None

