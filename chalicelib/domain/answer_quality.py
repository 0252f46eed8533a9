"""Is an executor's answer on substance, or a formal reply («отписка») to send back?

Plain rules over the answer's sentences, no I/O. An answer is substantive when it reports something
concrete: work done, an enforcement step against whoever is responsible, an inspection with its
finding, or work promised by a stated date. It is formal when all it offers is a referral elsewhere,
quotes of the law, vague promises («будет рассмотрено», a plan with no date), a request to write
again, a deferral to some future capital repair, or a bare one-liner. Resubmission requests and
bare deferrals count as formal even next to an inspection, since they leave the problem where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain import answer_patterns as p


class Verdict(StrEnum):
    SUBSTANTIVE = "substantive"
    FORMAL = "formal"


REASONS: dict[str, str] = {
    "resubmit": "Заявителя просят подать обращение заново вместо того, чтобы разобраться с проблемой",
    "referral": "Переадресация вместо решения: «направлено в…», «рекомендуем обратиться…», "
                "«не входит в компетенцию»",
    "law_only": "Только ссылки на нормы права («в соответствии с…», «согласно ст. …», 59-ФЗ) "
                "без действий по существу",
    "deferred": "Решение отложено до капитального ремонта или программы без работ сейчас и без точной даты",
    "no_date": "Обещание без срока: не указано, к какой дате проблема будет решена",
    "vague": "Общие слова («будет рассмотрено», «будут приняты меры») вместо конкретных действий",
    "too_short": "Слишком короткий шаблонный ответ без сведений о проверке или работах",
    "no_action": "Нет конкретных действий: не сказано, что сделано или будет сделано и когда",
}


@dataclass(frozen=True)
class AnswerAssessment:
    verdict: Verdict
    codes: tuple[str, ...]  # keys of REASONS, most telling first; empty for a substantive answer
    score: float  # how formal the answer looks: 0.0 (clearly on substance) … 1.0 (clearly a formality)
    evidence: tuple[str, ...] = ()  # what made it substantive: done, enforced, dated, inspected

    @property
    def is_formal(self) -> bool:
        return self.verdict is Verdict.FORMAL

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons in Russian, for the executor and the operator."""
        return tuple(REASONS[code] for code in self.codes)


SHORT_WORDS = 8


def assess_answer(text: str, attachments: int = 0) -> AnswerAssessment:
    """Judge one answer. `attachments` is how many files (photos, acts) came with it."""
    normal = p.CATEGORY_ECHO.sub(" ", text.replace("ё", "е").replace("Ё", "Е"))
    facts = _facts([s for s in p.SENTENCE_END.split(normal) if s.strip()])
    evidence = tuple(name for name in ("done", "enforced", "dated", "inspected") if facts[name])
    codes = _formal_codes(facts, normal)
    verdict = Verdict.FORMAL if codes else Verdict.SUBSTANTIVE
    return AnswerAssessment(verdict, codes, _score(facts, attachments, bool(codes)), evidence)


def assess_interim(text: str, attachments: int = 0) -> AnswerAssessment:
    """Judge an interim answer: on substance when it reports work done, or work under way or set for a
    stated time («бригада выедет завтра», «работы назначены на 05.12.2026»); a referral, law quotes or
    «находится на рассмотрении» are formal, as in a final answer."""
    final = assess_answer(text, attachments)
    if not final.is_formal or set(final.codes) & {"resubmit", "referral", "law_only", "deferred"}:
        return final
    normal = text.replace("ё", "е").replace("Ё", "Е")
    if p.UNDER_WAY.search(normal) and p.WHEN.search(normal):
        return AnswerAssessment(Verdict.SUBSTANTIVE, (), round(min(final.score, 0.4), 2), ("scheduled",))
    return final


def _facts(sentences: list[str]) -> dict[str, bool]:
    """What the sentences establish; promises and conditions never count as work done."""
    facts = dict.fromkeys(("done", "enforced", "dated", "inspected", "promised"), False)
    looked = found = False
    for sentence in sentences:
        if p.FUTURE.search(sentence) or p.CONDITIONAL.search(sentence):
            facts["promised"] = True
            facts["dated"] |= bool(p.DEADLINE.search(sentence))
            continue
        facts["done"] |= bool(p.DONE.search(sentence))
        facts["enforced"] |= bool(p.ENFORCED.search(sentence))
        facts["inspected"] |= bool(p.FINDING.search(p.SAFETY_BOILERPLATE.sub(" ", sentence)))
        looked |= bool(p.INSPECTED.search(sentence))
        found |= bool(p.BARE_FINDING.search(sentence))
    # An inspection counts when it says what it found; a bare «не подтвердилась» does not.
    facts["inspected"] |= looked and found
    return facts


def _formal_codes(facts: dict[str, bool], text: str) -> tuple[str, ...]:
    """Why the answer is formal, most telling first; empty when it is on substance."""
    if p.RESUBMIT.search(text):
        return ("resubmit",)
    acted = facts["done"] or facts["enforced"] or facts["dated"]
    if acted:
        return ()
    if p.DEFERRED.search(text) and not p.REFUTED.search(text):
        return ("deferred",)
    not_ours = bool(p.NOT_OURS.search(text))
    if facts["inspected"] and not not_ours:
        return ()
    referral = not_ours or bool(p.GO_ELSEWHERE.search(text))
    codes = [code for code, present in (
        ("referral", referral),
        ("law_only", len(p.LAW.findall(text)) >= 2),
        ("vague", bool(p.VAGUE.search(text))),
        ("no_date", facts["promised"]),
        ("too_short", _content_words(text) < SHORT_WORDS),
    ) if present]
    return tuple(codes) or ("no_action",)


def _content_words(text: str) -> int:
    return len(p.WORD.findall(p.BOILERPLATE.sub(" ", text)))


def _score(facts: dict[str, bool], attachments: int, formal: bool) -> float:
    """Formality on a 0…1 scale: formal answers land in 0.6…1, substantive ones in 0…0.4."""
    substance = min(1.0, 0.45 * facts["done"] + 0.35 * facts["enforced"] + 0.3 * facts["dated"]
                    + 0.25 * facts["inspected"] + 0.05 * min(attachments, 2))
    return round(1.0 - 0.4 * substance if formal else 0.4 * (1.0 - substance), 2)
