"""The trigger of Инцидент Менеджмент: does a social-media post describe a concrete problem worth a case?

A case needs a complaint (something broken, missing, dirty, dangerous, not done) and a place or an
object it is about (an address, a yard, a stairwell, a pothole's road, a container). Thanks, ads,
greetings and general talk are chatter: acknowledged and dropped. Plain rules on word starts, like
the rubricator's classifier, so every decision can be explained in one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.domain.text import normalise, words

MIN_WORDS = 4

# Something is wrong: a negated duty, a broken state, a hazard. Matched on the normalised text.
_NEGATIVE_STATE = re.compile(
    r"(не (?:работа|горит|горят|вывоз|вывез|убира|убрал|убран|чист|почист|посып|грее|греют|закрыва|отремонтир|"
    r"починил|приезжа|реагир)|нет (?:воды|света|отопления|горячей|холодной|тепла|освещения)|без (?:воды|света|"
    r"отопления|крышки)|отключ|сломан|слома|разбит|поврежд|поломан|повал|упал[аио]?\b|прорвал|прорыв|протека|течет|"
    r"топит|затоп|засор|открыт\w* люк|опасн|аварийн|провал|обруш|ледян|холодн\w* (?:батаре|в квартир)|"
    r"невозможно (?:пройти|проехать|дышать|жить)|сколько можно|безобрази|когда (?:уже )?(?:уберут|вывезут|починят|"
    r"сделают|отремонтируют|почистят|заменят|включат|дадут)|так и (?:не|стоит|лежит|висит|висят|валяется))")
# Problem nouns: a concrete trouble, but on their own («спасибо, что убрали мусор») not yet a complaint.
_PROBLEM_WORDS = ("мусор", "свалк", "грязь", "грязн", "вонь", "воня", "запах", "крыс", "тарака", "клоп", "гололед",
                  "налед", "сосул", "сугроб", "ям", "выбоин", "лужа", "луж", "протечк", "плесен", "граффити",
                  "незаконн", "самовольн", "жалоб")
# Where or what: addresses and the objects residents complain about.
_ADDRESS = re.compile(
    r"(\b(?:ул|улиц\w*|пр|просп\w*|пер|переул\w*|бульвар\w*|б-р|шоссе|наб|набережн\w*|площад\w*|пл|линия|линии)\b"
    r"\.?\s*\w+|\bд(?:ом)?\.?\s*\d+|\b\d+\s*(?:корп|к\.|к\d|лит|стр)|\bдом\w*\s+\d+)")
_OBJECT_WORDS = ("двор", "подъезд", "парадн", "этаж", "лестниц", "лифт", "подвал", "крыш", "чердак", "фасад",
                 "дом", "квартир", "школ", "садик", "детсад", "поликлиник", "больниц", "остановк", "метро",
                 "перекрест", "тротуар", "дорог", "проезд", "парк", "сквер", "площадк", "контейнер", "бак",
                 "урн", "люк", "колодц", "колодец", "светофор", "фонар", "освещени", "батаре", "радиатор", "труб",
                 "кран", "газон", "дерев", "арк", "пешеходн", "переход", "улиц", "набережн", "мост", "гараж")
_NOT_OBJECTS = frozenset({"дорогие", "дорогих", "дорогим", "дорогими", "дорогая", "дорогое", "домой"})
_THANKS = re.compile(r"\b(спасибо|благодар|молодцы|отличн\w* работ)")
_ADVERT = re.compile(r"\b(продам|продаю|куплю|скидк|акци[яи]\b|розыгрыш|конкурс|подпишись|подписывайтесь|"
                     r"репост|реклам\w* услуг|заработ)")


@dataclass(frozen=True)
class TriggerDecision:
    actionable: bool
    reason: str  # one line in Russian, for the log and the case history
    problem: tuple[str, ...] = ()
    place: tuple[str, ...] = ()


def assess_post(text: str) -> TriggerDecision:
    """A complaint with a place or an object becomes a case; everything else is chatter."""
    normal = normalise(text)
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return TriggerDecision(False, "Слишком коротко, чтобы понять проблему")
    if _ADVERT.search(normal):
        return TriggerDecision(False, "Реклама, розыгрыш или предложение услуг")
    negative = tuple(m.group(0) for m in _NEGATIVE_STATE.finditer(normal))
    nouns = _starting_with(tokens, _PROBLEM_WORDS)
    objects = _starting_with([t for t in tokens if t not in _NOT_OBJECTS], _OBJECT_WORDS)
    place = tuple(m.group(0) for m in _ADDRESS.finditer(normal)) + objects
    if _THANKS.search(normal) and not negative:
        return TriggerDecision(False, "Благодарность или отзыв, жалобы нет")
    problem = negative + nouns
    if not problem:
        return TriggerDecision(False, "Нет описания проблемы", place=place)
    if not place:
        return TriggerDecision(False, "Проблема без места или объекта", problem=problem)
    return TriggerDecision(True, "Жалоба с местом или объектом", problem=problem, place=place)


def _starting_with(tokens: list[str], stems: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in tokens if t.startswith(stems)))
