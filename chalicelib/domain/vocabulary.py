"""The region's vocabulary for data from outside: a history's labels, district names, organisation names.

- a data label (the portal's `reason`) or a category id → the rubricator's category (`Rubricator.for_label`);
- a district name («Невский», «Невский район», any case) or a municipality id → the municipality id;
- an organisation name («СПб ГКУ ЖА Невского района») → the executor whose name or alias it is, compared
  without case, quotes, «ё» and a trailing «Санкт-Петербурга».
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chalicelib.domain.region import Region
from chalicelib.domain.rubricator import Rubricator

_QUOTES = re.compile(r"[\"'«»„“”]")
_SPACES = re.compile(r"\s+")
CITY_SUFFIX = " санкт-петербурга"
DISTRICT_SUFFIX = " район"


def normal_name(name: str) -> str:
    """An organisation's or a district's name for comparison."""
    text = _SPACES.sub(" ", _QUOTES.sub("", name.lower().replace("ё", "е"))).strip()
    return text.removesuffix(CITY_SUFFIX)


@dataclass
class Vocabulary:
    region: Region
    rubricator: Rubricator
    _territories: dict[str, str] = field(init=False, repr=False)
    _executors: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._territories = {}
        for m in self.region.municipalities.values():
            for name in (m.id, m.name, m.name.removesuffix(" район")):
                self._territories[normal_name(name)] = m.id
        self._executors = {}
        for e in self.region.executors.values():
            for name in (e.name, *e.aliases):
                self._executors.setdefault(normal_name(name), e.id)

    def category(self, label: str) -> str | None:
        found = self.rubricator.for_label(label.strip()) if label else None
        return found.id if found else None

    def territory(self, name: str) -> str | None:
        return self._territories.get(normal_name(name)) if name else None

    def territory_name(self, municipality_id: str | None) -> str | None:
        municipality = self.region.municipalities.get(municipality_id or "")
        return municipality.name if municipality else None

    def executor(self, name: str) -> str | None:
        """The executor id for an organisation name (or an executor id)."""
        if name in self.region.executors:
            return name
        return self._executors.get(normal_name(name)) if name else None
