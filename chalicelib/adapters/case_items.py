"""How a case and its events are laid out as DynamoDB items (single table, see README)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters.watch_items import watch_attributes, watch_fields
from chalicelib.domain.aggregates import UNKNOWN, district_of
from chalicelib.domain.case import Answer, Assignment, Case, CaseEvent, Classification, Contact
from chalicelib.domain.consent import Consent
from chalicelib.domain.owed_effects import OWED_STEP, OwedEffects
from chalicelib.domain.social import SocialRef
from chalicelib.domain.statuses import Status

CASE_SK = "CASE"
EVENT_PREFIX = "EVT#"
DELIVERY_PREFIX = "DLV#"
OWED_PREFIX = "OWED#"


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# The sort key of the sparse `by_pending` index. A case the sweeper gave up on sorts after every date
# ("~" > digits), so the sweeper's `pending_since < :before` never reads it again, however many pile up;
# the consistency check finds them between GAVE_UP and GAVE_UP + a date.
GAVE_UP = "~"


def pending_sort_key(case: Case) -> str | None:
    if case.pending_since is None:
        return None
    return (GAVE_UP if case.resends_exhausted else "") + case.pending_since.isoformat()


def _num(value: float | None) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


def _drop_none(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None and v != {} and v != ""}


def case_to_item(case: Case, version: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": case_pk(case.id), "sk": CASE_SK, "type": "case", "id": case.id,
        "token_hash": case.token_hash, "tracking_token": case.tracking_token, "text": case.text, "source": case.source,
        "sector_hint": case.sector_hint, "address": case.address, "lat": _num(case.lat),
        "lon": _num(case.lon), "municipality": case.municipality,
        "contact": _drop_none(vars(case.contact)) if case.contact else None,
        "consent": {"at": _iso(case.consent.at), "version": case.consent.version} if case.consent else None,
        "attachments": list(case.attachments) or None, "correlation_id": case.correlation_id,
        "status": case.status.value, "created_at": _iso(case.created_at), "updated_at": _iso(case.updated_at),
        "assignment_count": case.assignment_count, "overdue": case.overdue, "version": version,
        "pending_step": case.pending_step, "pending_since": pending_sort_key(case),
        "pending_sweeps": case.pending_sweeps,
        "answers": [_answer_item(a) for a in case.answers] or None,
        "published_answer_id": case.published_answer_id, "published_at": _iso(case.published_at),
        "clarification_question": case.clarification_question, "rating": case.rating,
        "rating_comment": case.rating_comment, "closed_as": case.closed_as,
        "social": case.social.to_dict() if case.social else None,
    }
    if case.classification:
        c = case.classification
        item["classification"] = {"sector": c.sector, "category": c.category,
                                  "confidence": _num(c.confidence), "method": c.method,
                                  "alternatives": [[cid, _num(p)] for cid, p in c.alternatives]}
    if case.assignment:
        a = case.assignment
        item["assignment"] = {"executor_id": a.executor_id, "deadline_at": _iso(a.deadline_at), "rule": a.rule,
                              "territory": a.territory}
        item["executor_id"] = a.executor_id  # by_executor index
        item["status_created"] = f"{case.status.value}#{_iso(case.created_at)}"
    item.update(watch_attributes(case))  # clock, counters, duplicates; by_deadline and by_geo keys
    item.update(listing_keys(case))
    return _drop_none(item)


# The operators' listings: by status, by month of creation, by district (all newest first).
LISTINGS = {"by_status": "case_status", "by_month": "case_month", "by_municipality": "case_municipality"}


def listing_keys(case: Case) -> dict[str, Any]:
    created = case.created_at.astimezone(UTC)
    district = district_of(case)
    return {"case_status": case.status.value, "case_month": created.strftime("%Y-%m"),
            "case_municipality": district if district != UNKNOWN else None, "created_utc": created.isoformat()}


def item_to_case(item: dict[str, Any]) -> Case:
    contact = item.get("contact")
    consent = item.get("consent")
    classification = item.get("classification")
    assignment = item.get("assignment")
    return Case(
        id=item["id"], token_hash=item["token_hash"], tracking_token=item.get("tracking_token", ""),
        text=item["text"], source=item["source"],
        created_at=_dt(item["created_at"]),  # type: ignore[arg-type]
        sector_hint=item.get("sector_hint"), address=item.get("address"),
        lat=float(item["lat"]) if "lat" in item else None, lon=float(item["lon"]) if "lon" in item else None,
        municipality=item.get("municipality"), contact=Contact(**contact) if contact else None,
        consent=Consent(datetime.fromisoformat(consent["at"]), consent["version"]) if consent else None,
        attachments=tuple(item.get("attachments", ())), correlation_id=item.get("correlation_id", ""),
        status=Status(item["status"]),
        classification=Classification(
            sector=classification["sector"], category=classification["category"],
            confidence=float(classification["confidence"]), method=classification["method"],
            alternatives=tuple((cid, float(p)) for cid, p in classification.get("alternatives", ())),
        ) if classification else None,
        assignment=Assignment(executor_id=assignment["executor_id"],
                              deadline_at=_dt(assignment["deadline_at"]),  # type: ignore[arg-type]
                              rule=assignment["rule"], territory=assignment.get("territory")) if assignment else None,
        assignment_count=int(item.get("assignment_count", 0)), pending_step=item.get("pending_step"),
        pending_since=_dt(str(item.get("pending_since", "")).removeprefix(GAVE_UP)),
        pending_sweeps=int(item.get("pending_sweeps", 0)),
        updated_at=_dt(item.get("updated_at")), overdue=bool(item.get("overdue", False)),
        answers=[_item_answer(a) for a in item.get("answers", ())],
        published_answer_id=item.get("published_answer_id"), published_at=_dt(item.get("published_at")),
        clarification_question=item.get("clarification_question"),
        rating=int(item["rating"]) if "rating" in item else None, rating_comment=item.get("rating_comment"),
        closed_as=item.get("closed_as"),
        social=SocialRef.from_dict(item["social"]) if "social" in item else None,
        version=int(item["version"]), **watch_fields(item),
    )


def _answer_item(answer: Answer) -> dict[str, Any]:
    return _drop_none({"id": answer.id, "kind": answer.kind, "text": answer.text, "at": _iso(answer.at),
                       "author": answer.author, "attachments": list(answer.attachments) or None,
                       "verdict": answer.verdict, "verdict_reasons": list(answer.verdict_reasons) or None,
                       "verdict_by": answer.verdict_by})


def _item_answer(item: dict[str, Any]) -> Answer:
    return Answer(id=item["id"], kind=item["kind"], text=item["text"], at=datetime.fromisoformat(item["at"]),
                  author=item["author"], attachments=tuple(item.get("attachments", ())),
                  verdict=item.get("verdict"), verdict_reasons=tuple(item.get("verdict_reasons", ())),
                  verdict_by=item.get("verdict_by"))


def event_to_item(case_id: str, event: CaseEvent, seq: int | str) -> dict[str, Any]:
    """`seq` keeps events of one instant apart: a number for case saves, a tag for logged-only entries."""
    suffix = f"{seq:06d}" if isinstance(seq, int) else seq
    return _drop_none({
        "pk": case_pk(case_id), "sk": f"{EVENT_PREFIX}{event.at.isoformat()}#{suffix}", "type": "event",
        "at": event.at.isoformat(), "kind": event.kind, "actor": event.actor,
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value if event.to_status else None,
        "reason": event.reason, "public": event.public,
        "data": {k: _num(v) if isinstance(v, float) else v for k, v in event.data.items()},
    })


def item_to_event(item: dict[str, Any]) -> CaseEvent:
    return CaseEvent(
        at=datetime.fromisoformat(item["at"]), kind=item["kind"], actor=item["actor"],
        from_status=Status(item["from_status"]) if "from_status" in item else None,
        to_status=Status(item["to_status"]) if "to_status" in item else None,
        reason=item.get("reason", ""), public=bool(item.get("public", False)),
        data={k: float(v) if isinstance(v, Decimal) else v for k, v in item.get("data", {}).items()},
    )


def owed_to_item(owed: OwedEffects) -> dict[str, Any]:
    events = [{k: v for k, v in event_to_item(owed.case_id, e, 0).items() if k not in ("pk", "sk", "type")}
              for e in owed.events]
    return {"pk": case_pk(owed.case_id), "sk": owed_sk(owed.seq), "type": "owed", "case_id": owed.case_id,
            "seq": owed.seq, "events": events, "sweeps": owed.sweeps, "pending_step": OWED_STEP,
            "pending_since": (GAVE_UP if owed.given_up else "") + owed.since.isoformat()}


def owed_sk(seq: int) -> str:
    return f"{OWED_PREFIX}{seq:09d}"


def item_to_owed(item: dict[str, Any]) -> OwedEffects:
    return OwedEffects(case_id=item["case_id"], seq=int(item["seq"]),
                       events=tuple(item_to_event(e) for e in item.get("events", ())),
                       since=datetime.fromisoformat(str(item["pending_since"]).removeprefix(GAVE_UP)),
                       sweeps=int(item.get("sweeps", 0)))
