"""The region the system serves: its municipalities and the executors that answer appeals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

# What each kind of executor is called, for operators (routing explanations, proposals).
EXECUTOR_TYPES: dict[str, str] = {
    "governor_office": "администрация губернатора",
    "district_administration": "администрация района",
    "housing_agency": "жилищное агентство района",
    "management_company": "управляющая компания",
    "road_contractor": "подрядчик дорожных работ",
    "landscaping_center": "центр комплексного благоустройства",
    "traffic_directorate": "дирекция по организации дорожного движения",
    "street_lighting": "учреждение наружного освещения",
    "polyclinic": "поликлиника",
    "subordinate_institution": "подведомственное учреждение",
    "committee": "комитет",
    "inspection": "государственная инспекция",
    "contractor": "подрядчик",
}


@dataclass(frozen=True)
class Municipality:
    id: str
    name: str
    population: int | None = None


@dataclass(frozen=True)
class Executor:
    """A body that must answer: a ministry, a district administration, a management company…"""

    id: str
    name: str
    type: str
    territory: str | None  # a municipality id, or None for the whole region
    timezone: str
    supervisor: str | None = None
    aliases: tuple[str, ...] = ()  # other names it goes by in the history (the portal's spellings)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def type_name(self) -> str:
        return EXECUTOR_TYPES.get(self.type) or self.type.replace("_", " ")

    def to_data(self) -> dict[str, Any]:
        data = {"id": self.id, "name": self.name, "type": self.type, "territory": self.territory,
                "supervisor": self.supervisor, "timezone": self.timezone, "aliases": list(self.aliases)}
        return {k: v for k, v in data.items() if v != []}


def executor_from_data(raw: Mapping[str, Any], default_tz: str) -> Executor:
    return Executor(id=raw["id"], name=raw["name"], type=raw["type"], territory=raw.get("territory"),
                    timezone=raw.get("timezone") or default_tz, supervisor=raw.get("supervisor"),
                    aliases=tuple(raw.get("aliases", ())))


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    timezone: str
    municipalities: dict[str, Municipality]
    executors: dict[str, Executor]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_executors(self, extra: Iterable[Executor]) -> Region:
        """The region with more executors (an operator's loaded ones); ids must be new."""
        added = {e.id: e for e in extra}
        return replace(self, executors={**self.executors, **added}) if added else self

    def executor_of(self, executor_type: str, territory: str | None) -> Executor | None:
        """The one executor of a type for a territory (None: for the whole region), if there is exactly one."""
        found = [e for e in self.executors.values() if e.type == executor_type and e.territory == territory]
        return found[0] if len(found) == 1 else None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Region:
        tz = data["timezone"]
        municipalities = {m["id"]: Municipality(m["id"], m["name"], m.get("population"))
                          for m in data["municipalities"]}
        executors = {e["id"]: executor_from_data(e, tz) for e in data["executors"]}
        return cls(id=data["id"], name=data["name"], timezone=tz, municipalities=municipalities,
                   executors=executors)
