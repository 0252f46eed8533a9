"""History in the region's vocabulary, for `tsur routing suggest|evaluate`: labels → categories, district
names → municipality ids, organisation names → the region's executors, and proposed executors for the
organisations the region does not know.

A proposal gets a stable id (an abbreviation of the name and four hex digits of its hash: the same
name always gives the same id), the name as the history spells it, and a type, territory and
supervisor guessed from the name: «СПб ГКУ ЖА Кировского района» is the housing agency of
`kirovsky` under its district administration; «Центр комплексного благоустройства» a subordinate
institution under the landscaping committee; an «ООО …» a management company or a contractor. An
operator reviews them before loading (`tsur routing load`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from chalicelib.domain.region import Executor, Region
from chalicelib.domain.vocabulary import Vocabulary, normal_name
from tsur.routing_learn import Example

_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
                   "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))
_FORMS = re.compile(r"\b(спб|санкт-петербургское|государственное|гку|гбу|гбуз|гуп|гудп|гау|ооо|ао|зао|пао|оао|"
                    r"общество с ограниченной ответственностью)\b")
_SMALL = {"по", "и", "в", "во", "на", "за", "со", "с", "при", "для", "№"}
_CITY = re.compile(r"^(санкт|петербург)")
# (pattern in the lower-cased name, the type it means); the first that matches wins
_KINDS = (
    (r"\bжа\b|жилищное агентство", "housing_agency"),
    (r"^администрация .*район", "district_administration"),
    (r"жилкомсервис|управляющ|\bжкс\b|\bук\b", "management_company"),
    (r"\b(ооо|ао|зао|пао|оао)\b|общество с ограниченной", "contractor"),
    (r"инспекция|надзор", "inspection"),
    (r"^комитет|^служба", "committee"),
)
# Whose subordinate an institution is, by words of its name: (pattern, the supervising executor's type)
_SUPERVISORS = (
    (r"благоустр|зелен", "landscaping_committee"),
    (r"дорожн|транспорт|парков|метрополитен|электротранс|мост", "transport_committee"),
    (r"жилищ", "housing_committee"),
    (r"свет|энерг|водоканал|тэк|тепло", "energy_committee"),
    (r"строит|реконструк", "construction_committee"),
    (r"здрав|больниц|поликлин", "health_committee"),
)


def _latin(text: str) -> str:
    return "".join(_LATIN.get(ch, ch if ch.isascii() and ch.isalnum() else "") for ch in text.lower())


def proposal_id(name: str) -> str:
    """A stable id for an organisation's name: «Государственная административно-техническая инспекция» → gati_…"""
    quoted = re.findall(r"[\"«“]([^\"»”]+)[\"»”]", name)
    core = _FORMS.sub(" ", (quoted[0] if quoted else name).lower())
    words = [w for w in re.split(r"[\s\-(),.]+", core) if w and w not in _SMALL and not _CITY.match(w)]
    abbreviation = _latin(words[0]) if len(words) == 1 else "".join(_latin(w[0]) for w in words if not w.isdigit())
    digest = hashlib.sha1(normal_name(name).encode()).hexdigest()[:4]
    stem = abbreviation[:24] if abbreviation[:1].isalpha() else f"org_{abbreviation[:20]}".rstrip("_")
    return f"{stem}_{digest}"


def _district(name: str, region: Region) -> str | None:
    lowered = name.lower().replace("ё", "е")
    for m in region.municipalities.values():
        stem = m.name.lower().removesuffix(" район")[:-2]
        if re.search(rf"\b{re.escape(stem)}(ого|ий|ый|ой)\s+район", lowered):
            return m.id
    return None


def _kind(name: str) -> str:
    lowered = normal_name(name)
    return next((kind for pattern, kind in _KINDS if re.search(pattern, lowered)), "subordinate_institution")


def _supervisor(kind: str, name: str, territory: str | None, region: Region) -> str | None:
    local = {"housing_agency": "district_administration", "management_company": "housing_agency",
             "contractor": "district_administration"}.get(kind)
    if local and territory:
        found = region.executor_of(local, territory) or region.executor_of("district_administration", territory)
        if found:
            return found.id
    lowered = normal_name(name)
    wanted = next((t for pattern, t in _SUPERVISORS if re.search(pattern, lowered)), None)
    committee = region.executor_of(wanted, None) if kind == "subordinate_institution" and wanted else None
    top = next((e.id for e in region.executors.values() if e.supervisor is None), None)
    return committee.id if committee else top


def propose_executor(name: str, region: Region) -> Executor:
    territory = _district(name, region)
    kind = _kind(name)
    return Executor(id=proposal_id(name), name=name.strip(), type=kind, territory=territory,
                    timezone=region.timezone, supervisor=_supervisor(kind, name, territory, region))


@dataclass
class Resolver:
    """Resolves history into the region's vocabulary; remembers what it proposed and what it could not place."""

    vocabulary: Vocabulary
    proposed: dict[str, Executor] = field(default_factory=dict)
    support: Counter[str] = field(default_factory=Counter)  # cases per proposed executor
    unknown_labels: Counter[str] = field(default_factory=Counter)
    unknown_territories: Counter[str] = field(default_factory=Counter)

    def executor(self, name: str, propose: bool = True) -> str:
        known = self.vocabulary.executor(name)
        if known:
            return known
        executor = propose_executor(name, self.vocabulary.region)
        if propose:
            self.proposed.setdefault(executor.id, executor)
            self.support[executor.id] += 1
        return executor.id

    def example(self, raw: Example, propose: bool = True) -> Example | None:
        """The example in ids; None when its label is not in the rubricator."""
        category = self.vocabulary.category(raw.label)
        if category is None:
            self.unknown_labels[raw.label] += 1
            return None
        territory = self.vocabulary.territory(raw.territory) if raw.territory else None
        if raw.territory and territory is None:
            self.unknown_territories[raw.territory] += 1
        return Example(category, territory or "", self.executor(raw.executor, propose))

    def examples(self, raw: Iterable[Example]) -> list[Example]:
        return [ex for ex in (self.example(r) for r in raw) if ex is not None]

    def region(self) -> Region:
        """The region with the proposed executors."""
        return self.vocabulary.region.with_executors(self.proposed.values())

    def proposals(self) -> list[dict[str, object]]:
        return [{**e.to_data(), "proposed": True, "support": self.support[e.id]}
                for e in sorted(self.proposed.values(), key=lambda e: -self.support[e.id])]


@dataclass(frozen=True)
class RegionLocality:
    """Executors' types and territories, for the learner (routing_learn.Locality)."""

    region: Region

    def local_type(self, executor: str, territory: str) -> str | None:
        found = self.region.executors.get(executor)
        return found.type if found and found.territory and found.territory == territory else None

    def local(self, executor_type: str, territory: str) -> str | None:
        found = self.region.executor_of(executor_type, territory)
        return found.id if found else None
