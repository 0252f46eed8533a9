"""The answer gate: every answer is checked before the resident sees it.

A formal final reply («отписка»: no concrete action, no date, a mere referral, only quotes of the law)
goes back to the executor with the reasons while the deadline keeps running. A substantive one is
published at once (ANSWER_REVIEW=auto) or waits for an operator's confirmation (ANSWER_REVIEW=operator);
either way an operator can override the automatic verdict.

An interim answer passes the same check: a substantive one («работы назначены на 5 декабря») is shown
at once, since its point is to tell the resident early; a formal one («обращение находится на
рассмотрении») is not shown, the executor is told why, and an operator may still publish it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.api.errors import ApiError
from chalicelib.domain.answer_quality import AnswerAssessment, assess_answer, assess_interim
from chalicelib.domain.case import Answer, Case
from chalicelib.domain.privacy import mask_personal_data
from chalicelib.domain.statuses import Status
from chalicelib.services import uploads
from chalicelib.services.changes import change_case, wrong_status
from chalicelib.services.deps import Dependencies

FORMAL, SUBSTANTIVE = "formal", "substantive"
OVERRIDDEN_TO_SUBSTANTIVE = "Оператор признал ответ ответом по существу и опубликовал его"
# Once the final answer is out (or the case is over) an interim one has nothing left to say.
INTERIM_OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CLARIFICATION, Status.ANSWERED, Status.RETURNED,
                Status.REOPENED)


def public_text(case: Case, text: str) -> str:
    """What the public sees of an answer: personal data masked, the resident's own name and contacts too."""
    return mask_personal_data(text, case.contact)


def _assess(case: Case, answer: Answer) -> AnswerAssessment:
    judge = assess_answer if answer.kind == "final" else assess_interim
    assessment = judge(answer.text, attachments=len(answer.attachments))
    case.judge_answer(assessment.verdict, tuple(assessment.reasons), answer_id=answer.id)
    return assessment


def review(deps: Dependencies, case: Case, now: datetime) -> None:
    answer = case.last_final_answer
    assert answer is not None
    assessment = _assess(case, answer)
    if assessment.verdict == FORMAL:
        case.return_answer(now, "Ответ возвращён на доработку: " + "; ".join(assessment.reasons))
    elif deps.settings.answer_review == "auto":
        case.publish_answer(now, public_text(case, answer.text))


def review_interim(deps: Dependencies, case: Case, now: datetime) -> None:
    answer = case.answers[-1]
    assessment = _assess(case, answer)
    if assessment.verdict == FORMAL:
        case.return_interim(answer.id, now, "Промежуточный ответ не опубликован: " + "; ".join(assessment.reasons))
    else:
        case.publish_interim(answer.id, public_text(case, answer.text), now)


def _require_status(case: Case, *statuses: Status) -> None:
    """An answer can be published or returned only while it waits for that: 409 (not 404) otherwise."""
    if case.status not in statuses:
        raise wrong_status(case.status)


def _exists(case: Case) -> bool:
    return True  # the caller has checked that the operator may see the case


def confirm(deps: Dependencies, case_id: str, actor: str) -> Case:
    """The operator publishes the last final answer (also overriding an automatic return)."""
    def publish(case: Case, now: datetime) -> None:
        _require_status(case, Status.ANSWERED, Status.RETURNED)
        answer = case.last_final_answer
        if answer is None:
            raise ApiError(409, "no_answer", "У обращения нет ответа исполнителя")
        if case.status is Status.RETURNED:
            case.judge_answer(SUBSTANTIVE, (OVERRIDDEN_TO_SUBSTANTIVE,), by=actor)
        case.publish_answer(now, public_text(case, answer.text), actor=actor)

    return change_case(deps, case_id, _exists, publish)


def publish_held_interim(deps: Dependencies, case_id: str, answer_id: str, actor: str) -> Case:
    """The operator overrides the check on an interim answer it held back: the resident sees it now."""
    def publish(case: Case, now: datetime) -> None:
        answer = case.answer(answer_id)
        if answer is None or answer.kind != "interim":
            raise ApiError(404, "not_found", "Промежуточный ответ не найден")
        if answer.verdict != FORMAL:
            raise ApiError(409, "already_public", "Этот промежуточный ответ уже опубликован")
        _require_status(case, *INTERIM_OPEN)
        case.judge_answer(SUBSTANTIVE, (OVERRIDDEN_TO_SUBSTANTIVE,), by=actor, answer_id=answer.id)
        case.publish_interim(answer.id, public_text(case, answer.text), now, actor=actor)

    return change_case(deps, case_id, _exists, publish)


def send_back(deps: Dependencies, case_id: str, reason: str, actor: str) -> Case:
    """The operator returns an answer the automatic check let through: the verdict becomes theirs."""
    def back_to_executor(case: Case, now: datetime) -> None:
        _require_status(case, Status.ANSWERED)
        case.judge_answer(FORMAL, (reason,), by=actor)
        case.return_answer(now, f"Ответ возвращён оператором на доработку: {reason}", actor=actor)

    return change_case(deps, case_id, _exists, back_to_executor)


def view(deps: Dependencies, answer: Answer) -> dict[str, Any]:
    """An answer with its quality verdict and short-lived links to its files, for the executor and the operators."""
    return {"id": answer.id, "kind": answer.kind, "text": answer.text, "at": answer.at.isoformat(),
            "attachments": list(answer.attachments), "files": uploads.download_links(deps, answer.attachments),
            "verdict": answer.verdict, "verdict_reasons": list(answer.verdict_reasons), "verdict_by": answer.verdict_by}
