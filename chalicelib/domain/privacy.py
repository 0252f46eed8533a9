"""Masking personal data in text that is published: phones, emails, passport-like numbers."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Russian and international phone numbers: +7/8 and 10 digits, with spaces, dashes or brackets.
_PHONE = re.compile(r"(?<!\d)(?:\+7|8|7)?[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")
_PASSPORT = re.compile(r"(?<!\d)\d{2}\s?\d{2}\s?№?\s?\d{6}(?!\d)")
_SNILS = re.compile(r"(?<!\d)\d{3}-\d{3}-\d{3}[\s-]\d{2}(?!\d)")
# A name the resident introduces: «меня зовут Иван Петров», «с уважением, Петрова А.В.».
_NAME = re.compile(r"(?i:(меня зовут|с уважением,?|зовут меня))\s+[А-ЯЁ][а-яё]+(?:\s+[А-ЯЁ][а-яё]+){0,2}"
                   r"(?:\s*[А-ЯЁ]\.(?:\s*[А-ЯЁ]\.)?)?")


def mask_personal_data(text: str) -> str:
    text = _EMAIL.sub("[email скрыт]", text)
    text = _NAME.sub(r"\1 [имя скрыто]", text)
    text = _SNILS.sub("[номер скрыт]", text)
    text = _PASSPORT.sub("[номер скрыт]", text)
    return _PHONE.sub("[телефон скрыт]", text)
