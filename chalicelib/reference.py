"""The demo region's reference data shipped with the code: region, executors, routing, rubricator."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.domain.classifier import ModelClassifier
from chalicelib.domain.geo import Territories
from chalicelib.domain.region import Executor, Region
from chalicelib.domain.routing import Router, rules_from_data
from chalicelib.domain.rubricator import Rubricator

DATA_DIR = Path(__file__).parent / "data"
DISTRICTS_FILE = "spb_districts.geojson"
# An operator's own rubricator and model replace the demo region's: RUBRICATOR_FILE, CLASSIFIER_MODEL.
RUBRICATOR_FILE = DATA_DIR / "rubricator.jsonl"
CLASSIFIER_MODEL = DATA_DIR / "classifier.npz"


def _load(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def region() -> Region:
    return Region.from_data(_load("region_spb.json"))


@lru_cache(maxsize=1)
def router() -> Router:
    """The region file's rules, with its executors and the rubricator's executor types and sectors: what
    routes cases until an operator loads other rules (`tsur routing load`)."""
    return Router.for_rubricator(rules_from_data(shipped_rules()), region().executors.values(), rubricator())


def shipped_rules() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = _load("region_spb.json")["routing_rules"]
    return rules


@lru_cache(maxsize=1)
def territories() -> Territories:
    """The districts' (approximate) shapes, to find the district of a point."""
    return Territories.from_geojson(_load(DISTRICTS_FILE))


def rubricator_path() -> Path:
    return Path(os.environ.get("RUBRICATOR_FILE") or RUBRICATOR_FILE)


def classifier_model_path() -> Path:
    return Path(os.environ.get("CLASSIFIER_MODEL") or CLASSIFIER_MODEL)


@lru_cache(maxsize=1)
def rubricator() -> Rubricator:
    path = rubricator_path()
    return Rubricator.from_jsonl(path.read_text(encoding="utf-8"), source=path.name)


@lru_cache(maxsize=1)
def classifier() -> ModelClassifier:
    """The model is read on the first classification, once per container."""
    from chalicelib.domain.text_model import TextModel

    return ModelClassifier(rubricator(), lambda: TextModel.load(classifier_model_path()))


@lru_cache(maxsize=1)
def district_shapes() -> dict[str, Any]:
    """The demo region's district boundaries (GeoJSON), for the heat map: no map tiles needed."""
    shapes: dict[str, Any] = _load("spb_districts.geojson")
    return shapes


@lru_cache(maxsize=1)
def district_map() -> dict[str, Any]:
    """The same districts projected for drawing: the widget's point picker and the admin page's maps."""
    from chalicelib.domain.district_map import svg_map

    return svg_map(district_shapes())


def for_operators(executors: Iterable[Executor] | None = None) -> dict[str, Any]:
    """What the admin page needs to name things: sectors, categories, districts, executors (by default
    the region file's; the app passes those in force, loaded ones included), statuses."""
    from chalicelib.domain.sectors import SECTORS
    from chalicelib.domain.statuses import STATUS_LABELS

    return {
        "sectors": [{"id": k, "name": v} for k, v in SECTORS.items()],
        "categories": [{"id": c.id, "sector": c.sector, "name": c.name} for c in rubricator()],
        "municipalities": [{"id": m.id, "name": m.name, "population": m.population}
                           for m in region().municipalities.values()],
        "executors": [{"id": e.id, "name": e.name, "type": e.type, "territory": e.territory}
                      for e in (region().executors.values() if executors is None else executors)],
        "statuses": [{"id": s.value, "label": label} for s, label in STATUS_LABELS.items()],
    }
