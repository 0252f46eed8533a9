"""Routing precedence and fallback, executor types, and the territory from coordinates or the resident."""

import itertools
import json
import math
import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib import reference
from chalicelib.domain.case import Case, Classification
from chalicelib.domain.deadlines import DeadlineRule
from chalicelib.domain.geo import (
    Territories,
    cell_of,
    cells_around,
    distance_m,
    iter_polygons,
    point_in_polygon,
)
from chalicelib.domain.region import Executor, Region
from chalicelib.domain.routing import NoRoute, Router, RoutingRule
from chalicelib.domain.rubricator import Category, Rubricator
from chalicelib.services import routing

EXECUTORS = [Executor("adm_nevsky", "Адм. Невского", "district_administration", "nevsky", "Europe/Moscow"),
             Executor("adm_kirovsky", "Адм. Кировского", "district_administration", "kirovsky", "Europe/Moscow"),
             Executor("roads", "Комитет по дорогам", "roads_committee", None, "Europe/Moscow")]
PALACE_SQUARE = (59.9390, 30.3158)  # Центральный район
STRELKA = (59.9440, 30.3060)  # Василеостровский район


def test_precedence_category_then_executor_type_then_sector_then_territory_then_region():
    router = Router([
        RoutingRule("region", "governor"),
        RoutingRule("territory", "adm_kirovsky", municipality="kirovsky"),
        RoutingRule("sector", "roads", sector="roads"),
        RoutingRule("sector@nevsky", "adm_nevsky", sector="roads", municipality="nevsky"),
        RoutingRule("category", "contractor", category="roads.pothole"),
        RoutingRule("category@kirovsky", "adm_kirovsky", category="roads.pothole", municipality="kirovsky"),
    ], EXECUTORS)
    assert router.route("roads.pothole", "roads", "kirovsky").rule.id == "category@kirovsky"
    assert router.route("roads.pothole", "roads", "nevsky", "district_administration").rule.id == "category"
    snow = router.route("roads.snow", "roads", "nevsky", "district_administration")
    assert (snow.executor_id, snow.rule.id) == ("adm_nevsky", "type:district_administration@nevsky")
    assert router.route("roads.snow", "roads", None, "district_administration").rule.id == "sector"
    assert router.route("roads.snow", "roads", "nevsky").rule.id == "sector@nevsky"
    assert router.route("roads.signs", "roads", None, "roads_committee").rule.id == "type:roads_committee"
    assert router.route("health.other", "health", "kirovsky", "health_committee").rule.id == "territory"
    assert router.route("health.other", "health", None, "no_such_type").rule.id == "region"


def test_no_rule_and_no_type_is_an_explicit_error():
    with pytest.raises(NoRoute):
        Router([RoutingRule("r", "x", sector="roads")], EXECUTORS).route("health.other", "health", None)


def test_renamed_categories_still_reach_their_executor_by_type():
    router = reference.router()  # the demo region keeps only sector rules and the region fallback
    decision = router.route("a.category.id.from.a.new.rubricator", "landscaping", "nevsky",
                            "district_administration")
    assert decision.executor_id == "adm_nevsky"
    assert router.route("another.new.id", "landscaping", None, "district_administration").executor_id == \
        "landscaping_committee"


def test_every_category_of_the_demo_region_reaches_an_executor_of_its_type_or_its_sector():
    region, router = reference.region(), reference.router()
    exceptions = {(r["category"], r.get("municipality")) for r in reference.shipped_rules() if r.get("category")}
    assert exceptions  # a contractor, a management company and a polyclinic take some categories somewhere
    for category in reference.rubricator():
        for territory in (None, *region.municipalities):
            if (category.id, territory) in exceptions:
                continue
            executor = region.executors[router.route(category.id, category.sector, territory,
                                                     category.executor_type).executor_id]
            typed = [e for e in region.executors.values() if e.type == category.executor_type
                     and e.territory in (territory, None)]
            if typed:
                assert executor.type == category.executor_type, (category.id, territory)


def classified_case(lat=None, lon=None, municipality=None):
    case = Case(id="c_1", token_hash="h", text="Во дворе яма", created_at=None, lat=lat, lon=lon,  # type: ignore[arg-type]
                municipality=municipality)
    case.classification = Classification("landscaping", "landscaping.yard", 0.9, "test")
    return case


def test_the_territory_comes_from_the_coordinates_first_then_from_the_resident(fake_deps):
    assert routing.territory_of(fake_deps, classified_case(*PALACE_SQUARE)) == ("tsentralny", "coordinates")
    assert routing.territory_of(fake_deps, classified_case(*STRELKA, municipality="nevsky")) == \
        ("vasileostrovsky", "coordinates")
    assert routing.territory_of(fake_deps, classified_case(municipality="nevsky")) == ("nevsky", "resident")
    assert routing.territory_of(fake_deps, classified_case(55.75, 37.62, "kirovsky")) == ("kirovsky", "resident")
    assert routing.territory_of(fake_deps, classified_case()) == (None, "none")


def test_the_assign_step_routes_by_coordinates_and_keeps_the_deciding_rule(fake_deps, clock):
    case = classified_case(*PALACE_SQUARE)
    case.created_at = clock()
    assert routing.assign_step(fake_deps, case, clock()) == "notify"
    assert case.assignment.executor_id == "adm_tsentralny"
    assert case.assignment.rule == "type:district_administration@tsentralny"
    assert (case.assignment.territory, case.municipality) == ("tsentralny", "tsentralny")


SQUARES = {"west": [[[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]],
           "east": [[[(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 0.0)]]],
           "north": [[[(0.0, 1.0), (2.0, 1.0), (2.0, 2.0), (0.0, 2.0), (0.0, 1.0)]]]}


@pytest.mark.parametrize(("lon", "lat", "expected"), [
    (0.999999, 0.5, "west"), (1.000001, 0.5, "east"), (1.0, 0.5, "east"),  # on the shared edge: one side only
    (0.5, 1.0, "north"), (1.0, 1.0, "north"),  # on an east-west edge, and a corner three share
    (0.5, 0.999999, "west"), (3.0, 0.5, None),
])
def test_a_point_on_a_border_belongs_to_exactly_one_area(lon, lat, expected):
    owners = [name for name, polygons in SQUARES.items() if any(point_in_polygon(lon, lat, p) for p in polygons)]
    assert owners == ([expected] if expected else [])
    assert Territories(SQUARES).locate(lat, lon) == expected


def test_a_hole_is_not_inside():
    ring = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]
    hole = [(1.0, 1.0), (1.0, 3.0), (3.0, 3.0), (3.0, 1.0), (1.0, 1.0)]
    assert point_in_polygon(0.5, 0.5, [ring, hole]) and not point_in_polygon(2.0, 2.0, [ring, hole])


def _shared_edges(collection):
    owner = {}
    for feature in collection["features"]:
        for polygon in iter_polygons(feature["geometry"]):
            for ring in polygon:
                for a, b in itertools.pairwise(ring):
                    owner[(a, b)] = feature["properties"]["id"]
    return [(a, b, mine, owner[(b, a)]) for (a, b), mine in owner.items()
            if owner.get((b, a)) not in (None, mine)]


def test_the_districts_partition_the_city_exactly_along_their_shared_borders():
    collection = json.loads((reference.DATA_DIR / reference.DISTRICTS_FILE).read_text(encoding="utf-8"))
    assert {f["properties"]["id"] for f in collection["features"]} == set(reference.region().municipalities)
    territories = reference.territories()
    areas = {f["properties"]["id"]: list(iter_polygons(f["geometry"])) for f in collection["features"]}
    shared = _shared_edges(collection)
    assert len(shared) > 100
    for a, b, left_owner, right_owner in random.Random(5).sample(shared, 60):
        lon, lat = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        containing = [d for d, polygons in areas.items() if any(point_in_polygon(lon, lat, p) for p in polygons)]
        assert len(containing) == 1 and containing[0] in (left_owner, right_owner)
        # A metre to either side of the border: each side's own district (rings run with the area on the left).
        dx, dy = b[0] - a[0], b[1] - a[1]
        norm = math.hypot(dx, dy) / 1e-5
        assert territories.locate(lat + dx / norm, lon - dy / norm) == left_owner
        assert territories.locate(lat - dx / norm, lon + dy / norm) == right_owner


def test_known_places_lie_in_their_districts():
    territories = reference.territories()
    assert territories.locate(*PALACE_SQUARE) == "tsentralny"
    assert territories.locate(*STRELKA) == "vasileostrovsky"
    assert territories.locate(59.7230, 30.4150) == "pushkinsky"  # Царское Село
    assert territories.locate(59.9960, 29.7660) == "kronshtadtsky"
    assert territories.locate(55.7539, 37.6208) is None  # Moscow


@pytest.mark.parametrize(("lat", "lon"), [(59.93, 30.31), (0.0, 0.0), (64.7, 177.5), (65.0, -179.999), (77.5, 104.0)])
def test_the_cells_around_a_point_hold_every_point_within_the_radius(lat, lon):
    rng = random.Random(1)
    cells = set(cells_around(lat, lon, 250))
    for _ in range(400):
        bearing, reach = rng.uniform(0, 2 * math.pi), 250 * math.sqrt(rng.random())
        dlat = reach * math.cos(bearing) / 111_195
        dlon = reach * math.sin(bearing) / (111_195 * math.cos(math.radians(lat)))
        other = (lat + dlat, ((lon + dlon + 180) % 360) - 180)
        if distance_m(lat, lon, *other) <= 250:
            assert cell_of(*other) in cells
    assert len(cells) <= 9


def test_the_deadline_is_counted_in_the_executors_own_time_zone(fake_deps, clock):
    # A region spanning zones: the same assignment, due a working day later, on each executor's own calendar day.
    fake_deps.region = Region.from_data({
        "id": "far", "name": "Дальний край", "timezone": "Asia/Kamchatka",
        "municipalities": [{"id": "west", "name": "Запад"}, {"id": "east", "name": "Восток"}],
        "executors": [{"id": "adm_west", "name": "Запад", "type": "district_administration", "territory": "west",
                       "timezone": "Europe/Kaliningrad"},
                      {"id": "adm_east", "name": "Восток", "type": "district_administration", "territory": "east"}]})
    fake_deps.rubricator = Rubricator([Category("yard", "landscaping", "Двор", DeadlineRule(days=1, working_days=True),
                                                "district_administration")])
    fake_deps.router = Router.for_rubricator([], fake_deps.region.executors.values(), fake_deps.rubricator)
    clock.now = datetime(2026, 12, 29, 21, 30, tzinfo=UTC)  # Tuesday in Kaliningrad, Wednesday in Kamchatka
    due = {}
    for territory in ("west", "east"):
        case = classified_case(municipality=territory)
        case.classification = Classification("landscaping", "yard", 0.9, "test")
        case.created_at = clock()
        routing.assign_step(fake_deps, case, clock())
        due[territory] = case.assignment.deadline_at
    assert due["west"] == datetime(2026, 12, 30, 23, 30, tzinfo=ZoneInfo("Europe/Kaliningrad"))
    assert due["east"] == datetime(2027, 1, 11, 9, 30, tzinfo=ZoneInfo("Asia/Kamchatka"))
