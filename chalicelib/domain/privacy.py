"""Masking personal data in text that is published: phones, emails, passport-like numbers, names.

With the resident's contact given, their own name is masked too (the whole of it and each part:
surname, first name, patronymic, in any case ending: «Анна Сергеевна», «Иванову А.С.», «Петровой»),
and their email and phone wherever they stand in the text, in any formatting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import snowballstemmer

from chalicelib.domain.case import Contact

NAME_MASK, PHONE_MASK, EMAIL_MASK, NUMBER_MASK = "[имя скрыто]", "[телефон скрыт]", "[email скрыт]", "[номер скрыт]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Russian and international phone numbers: +7/8 and 10 digits, with spaces, dashes or brackets.
_PHONE = re.compile(r"(?<!\d)(?:\+7|8|7)?[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")
# City numbers without the code: 921-00-00, 123 45 67 (not dates: those have dots).
_LOCAL_PHONE = re.compile(r"(?<![\d.,/:])\d{3}(?P<sep>[-\s])\d{2}(?P=sep)\d{2}(?![\d.,/:]?\d)")
_PASSPORT = re.compile(r"(?<!\d)\d{2}\s?\d{2}\s?№?\s?\d{6}(?!\d)")
_SNILS = re.compile(r"(?<!\d)\d{3}-\d{3}-\d{3}[\s-]\d{2}(?!\d)")
# A name the resident introduces: «меня зовут Иван Петров», «с уважением, Петрова А.В.».
_NAME = re.compile(r"(?i:(меня зовут|с уважением,?|зовут меня))\s+[А-ЯЁ][а-яё]+(?:\s+[А-ЯЁ][а-яё]+){0,2}"
                   r"(?:\s*[А-ЯЁ]\.(?:\s*[А-ЯЁ]\.)?)?")
_WORD = re.compile(r"[A-Za-zА-ЯЁа-яё]+")
_INITIALS_AFTER = re.compile(r"\s*[А-ЯЁ]\.(?:\s*[А-ЯЁ]\.)?")
_INITIALS_BEFORE = re.compile(r"(?<![A-Za-zА-ЯЁа-яё])(?:[А-ЯЁ]\.\s*){1,2}$")
_SEPARATORS = r"[\s\-().]*"
MIN_NAME_PART = 3  # shorter parts («Ян» apart) say too little to mask them everywhere
MAX_ENDING = 4  # letters a case ending may add to a stem: Иван → Ивановым
_stemmer = snowballstemmer.stemmer("russian")


def mask_personal_data(text: str, contact: Contact | None = None) -> str:
    if contact is not None:
        text = _mask_contact(text, contact)
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _NAME.sub(rf"\1 {NAME_MASK}", text)
    text = _SNILS.sub(NUMBER_MASK, text)
    text = _PASSPORT.sub(NUMBER_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    return _LOCAL_PHONE.sub(PHONE_MASK, text)


def _mask_contact(text: str, contact: Contact) -> str:
    if contact.email:
        text = re.sub(re.escape(contact.email), EMAIL_MASK, text, flags=re.IGNORECASE)
    digits = re.sub(r"\D", "", contact.phone or "")
    for number in (digits[-10:], digits[-7:]) if len(digits) >= 7 else ():  # the longer first
        text = re.sub(r"(?<!\d)(?:(?:\+7|8)" + _SEPARATORS + r")?" + _SEPARATORS.join(number) + r"(?!\d)",
                      PHONE_MASK, text)
    return _mask_name(text, contact.name) if contact.name else text


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


def _stems(name: str) -> set[str]:
    return {_stemmer.stemWord(_fold(part)) for part in _WORD.findall(name) if len(part) >= MIN_NAME_PART}


def _is_name(word: str, stems: Iterable[str]) -> bool:
    folded = _fold(word)
    return word[0].isupper() and any(folded.startswith(s) and len(folded) - len(s) <= MAX_ENDING for s in stems)


def _mask_name(text: str, name: str) -> str:
    """Each capitalised word that is a form of a part of `name`, with initials beside it, becomes one
    mask; neighbouring parts («Анна Сергеевна») make one mask together."""
    stems = _stems(name)
    spans: list[list[int]] = []
    for match in _WORD.finditer(text):
        if not _is_name(match.group(), stems):
            continue
        start, end = match.span()
        before = _INITIALS_BEFORE.search(text, 0, start)
        after = _INITIALS_AFTER.match(text, end)
        start, end = before.start() if before else start, after.end() if after else end
        if spans and not text[spans[-1][1]:start].strip():
            spans[-1][1] = end
        else:
            spans.append([start, end])
    for start, end in reversed(spans):
        text = text[:start] + NAME_MASK + text[end:]
    return text
