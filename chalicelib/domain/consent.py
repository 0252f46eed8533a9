"""Consent to the processing of personal data (152-ФЗ): what the resident agreed to, and when.

The widget shows `CONSENT_TEXT` next to its checkbox; a case with contact data records the time of the
consent and `CONSENT_VERSION`. Changing the text means a new version, so every case keeps which text
its resident agreed to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CONSENT_VERSION = "152fz-2026-01"
CONSENT_TEXT = "Согласен(на) на обработку персональных данных (152-ФЗ)"
CONSENT_REQUIRED = "Чтобы оставить контакты, подтвердите согласие на обработку персональных данных"


@dataclass(frozen=True)
class Consent:
    at: datetime
    version: str = CONSENT_VERSION
