"""The demo region's reference data shipped with the code: region, executors, routing, rubricator."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.domain.classifier import KeywordClassifier
from chalicelib.domain.geo import Territories
from chalicelib.domain.region import Region
from chalicelib.domain.routing import Router
from chalicelib.domain.rubricator import Rubricator

DATA_DIR = Path(__file__).parent / "data"
DISTRICTS_FILE = "spb_districts.geojson"


def _load(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def region() -> Region:
    return Region.from_data(_load("region_spb.json"))


@lru_cache(maxsize=1)
def router() -> Router:
    """The region's rules, with its executors and the rubricator's executor types for the fallback."""
    return Router.from_data(_load("region_spb.json")["routing_rules"], region().executors.values(),
                            {c.id: c.executor_type for c in rubricator()})


@lru_cache(maxsize=1)
def territories() -> Territories:
    """The districts' (approximate) shapes, to find the district of a point."""
    return Territories.from_geojson(_load(DISTRICTS_FILE))


@lru_cache(maxsize=1)
def rubricator() -> Rubricator:
    return Rubricator.from_data(_load("rubricator.json"))


@lru_cache(maxsize=1)
def classifier() -> KeywordClassifier:
    return KeywordClassifier(rubricator())
