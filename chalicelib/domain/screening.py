"""Moderation screening at intake: content that an operator must look at before anyone acts on it.

Empty content (only emoji, only a link), "test", obscenities and insults, advertising and repeated
text go to moderation with the reason. On the 38,395 real St Petersburg appeals only the
"too few facts" rule fires (on one-word texts like «Граффити»); the others never do.
"""

from __future__ import annotations

import re

from chalicelib.domain.text import has_url, without_links, words

_TEST_WORDS = {"test", "тест", "проверка", "asdf", "qwerty", "йцукен", "ааа", "фыва"}
# Roots of common Russian obscenities; matched at word starts, which is crude but errs toward review.
_OBSCENE_ROOTS = ("хуй", "хуе", "хуё", "хуи", "пизд", "ебан", "ебат", "ебал", "ебл", "бля", "муда", "залуп",
                  "сука", "суки", "сучар")
_INSULT_ROOTS = ("идиот", "дебил", "ублюд", "мраз", "тварь", "твари", "кретин", "дегенерат", "чмо")
_ADVERT = re.compile(r"\b(заработ(?:ок|ка|ать|ай\w*)|казино|ставк\w* на спорт|кредит\w* без|займ\w* без|подписывайтесь|"
                     r"подпишись|перейди\w* по ссылке|переходи\w* по ссылке|скидк\w*|промокод\w*|"
                     r"бесплатн\w* доставк\w*|купить недорого)\b", re.IGNORECASE)
_LETTER = re.compile(r"[a-zа-яё]", re.IGNORECASE)
_SAME_LETTER = re.compile(r"([a-zа-я])\1{4,}")

MIN_WORDS = 3


def screening_reason(text: str) -> str | None:
    """Why the text needs an operator before classification, or None when it can go on."""
    tokens = words(without_links(text))
    letters = [t for t in tokens if _LETTER.search(t)]
    if not letters:
        return "Нет текста: только ссылки, цифры или эмодзи" if has_url(text) or text.strip() else "Пустое обращение"
    if set(letters) <= _TEST_WORDS or all(_SAME_LETTER.search(t) for t in letters):
        return "Тестовое сообщение"
    if any(t.startswith(root) for t in letters for root in _OBSCENE_ROOTS):
        return "Нецензурная лексика"
    if any(t.startswith(root) for t in letters for root in _INSULT_ROOTS):
        return "Оскорбления"
    if _ADVERT.search(text) and (has_url(text) or len(letters) < 40):
        return "Подозрение на спам: реклама"
    if len(letters) < MIN_WORDS:
        return "Слишком мало фактов для работы"
    if len(set(letters)) * 4 < len(letters) and len(letters) > 20:
        return "Подозрение на спам: повторяющийся текст"
    return None
