"""The region the system serves: its municipalities and the executors that answer appeals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo


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

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Region:
        tz = data["timezone"]
        municipalities = {m["id"]: Municipality(m["id"], m["name"], m.get("population"))
                          for m in data["municipalities"]}
        executors = {e["id"]: Executor(id=e["id"], name=e["name"], type=e["type"],
                                       territory=e.get("territory"), timezone=e.get("timezone", tz),
                                       supervisor=e.get("supervisor"))
                     for e in data["executors"]}
        return cls(id=data["id"], name=data["name"], timezone=tz, municipalities=municipalities,
                   executors=executors)
