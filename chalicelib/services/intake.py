"""Intake: a resident's appeal becomes a case, stored first and then handed to the pipeline."""

from __future__ import annotations

import hashlib
import uuid

from chalicelib.api.errors import ApiError
from chalicelib.api.schemas import AppealAccepted, AppealIn
from chalicelib.domain.case import Case, Contact
from chalicelib.domain.consent import Consent
from chalicelib.domain.ids import new_case_id, new_token, token_hash
from chalicelib.domain.social import SocialRef
from chalicelib.observability import log, log_context
from chalicelib.services import effects, uploads
from chalicelib.services.deps import Dependencies
from chalicelib.services.pipeline import enqueue


def submit_appeal(deps: Dependencies, appeal: AppealIn, idempotency_key: str | None = None,
                  base_url: str = "", social: SocialRef | None = None) -> AppealAccepted:
    """Store the case, hand it to the intake queue, and tell the resident how to follow it.

    `social`: where a case from social media was posted (kept on the case, never published). Every
    attachment must have been uploaded (its key's form is checked by `AppealIn`).
    """
    uploads.require_uploaded(deps, appeal.attachments)
    base_url = deps.settings.public_base_url or base_url
    if not idempotency_key:
        return _create_case(deps, appeal, base_url, social)
    fingerprint = hashlib.sha256(appeal.model_dump_json().encode()).hexdigest()
    key = f"appeal:{idempotency_key}"
    earlier = deps.idempotency.begin(key, fingerprint)
    if earlier is not None:
        return _replay(earlier.fingerprint, fingerprint, earlier.response)
    try:
        accepted = _create_case(deps, appeal, base_url, social)
    except Exception:
        deps.idempotency.release(key)
        raise
    deps.idempotency.complete(key, accepted.model_dump())
    return accepted


def _replay(first: str, now: str, response: dict[str, object] | None) -> AppealAccepted:
    if first != now:
        raise ApiError(422, "idempotency_key_reused", "Этот Idempotency-Key уже использован для другого обращения",
                       [{"field": "Idempotency-Key", "message": "Ключ уже использован с другим содержимым"}])
    if response is None:
        raise ApiError(409, "in_progress", "Такое же обращение ещё обрабатывается, повторите запрос позже")
    return AppealAccepted.model_validate(response)


def _create_case(deps: Dependencies, appeal: AppealIn, base_url: str, social: SocialRef | None = None
                 ) -> AppealAccepted:
    now = deps.clock()
    token = new_token()
    contact = Contact(**appeal.contact.model_dump()) if appeal.contact else None
    case = Case(id=new_case_id(), token_hash=token_hash(token), tracking_token=token, text=appeal.text, created_at=now,
                source=appeal.source, sector_hint=appeal.sector, address=appeal.address, lat=appeal.lat,
                lon=appeal.lon, municipality=appeal.municipality, contact=contact,
                consent=Consent(now) if appeal.consent else None,
                attachments=tuple(appeal.attachments), correlation_id=uuid.uuid4().hex, updated_at=now,
                social=social)
    case.note(now, "received", "Обращение принято", public=True)
    case.await_step("intake", now)
    with log_context(case_id=case.id, correlation_id=case.correlation_id):
        owed = effects.owed_by(case, now)
        deps.cases.add(case, owed)
        log("case received", source=case.source, sector_hint=case.sector_hint)
        enqueue(deps, case, "intake")
        effects.deliver(deps, case, owed)
    return AppealAccepted(id=case.id, token=token, status=case.status.value,
                          status_url=f"{base_url}/v1/appeals/{case.id}")


