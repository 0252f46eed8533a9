"""Geometry on the sphere, small and dependency-free: distances, grid cells for lookups, polygons.

Grid cells: the plane of (lat, lon) is cut into cells of 180/2^15 degrees of latitude by 360/2^15
of longitude (like a 6-character geohash: about 610 m north-south, and 610 m east-west at 60°N).
A lookup within a radius reads only the few cells the radius touches, at any latitude.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

EARTH_RADIUS_M = 6_371_008.8
CELL_BITS = 15
CELL_LAT = 180 / 2**CELL_BITS
CELL_LON = 360 / 2**CELL_BITS
LON_CELLS = 2**CELL_BITS
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180

Point = tuple[float, float]  # (lon, lat), as GeoJSON orders them
Ring = Sequence[Point]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _row(lat: float) -> int:
    return min(int((lat + 90) / CELL_LAT), 2**CELL_BITS - 1)


def _column(lon: float) -> int:
    return int((lon + 180) / CELL_LON) % LON_CELLS


def cell_of(lat: float, lon: float) -> str:
    return f"{_row(lat)}:{_column(lon)}"


def cells_around(lat: float, lon: float, radius_m: float) -> list[str]:
    """Every cell holding a point within `radius_m` of (lat, lon); wraps at the 180th meridian."""
    dlat = radius_m / METRES_PER_DEGREE
    cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    dlon = min(radius_m / (METRES_PER_DEGREE * cos_lat), 180.0)
    rows = range(_row(max(lat - dlat, -90)), _row(min(lat + dlat, 90)) + 1)
    west = math.floor((lon - dlon + 180) / CELL_LON)
    east = math.floor((lon + dlon + 180) / CELL_LON)
    columns = sorted({c % LON_CELLS for c in range(west, east + 1)})
    return [f"{r}:{c}" for r in rows for c in columns]


def point_in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Crossing-number test, half-open on edges: of two polygons sharing an edge, a point on it
    belongs to exactly one of them (the one to its east, or north for an east-west edge)."""
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_cross:
                inside = not inside
    return inside


def point_in_polygon(lon: float, lat: float, rings: Sequence[Ring]) -> bool:
    """A GeoJSON polygon: the outer ring, then holes."""
    if not rings or not point_in_ring(lon, lat, rings[0]):
        return False
    return not any(point_in_ring(lon, lat, hole) for hole in rings[1:])


def bbox(rings: Sequence[Ring]) -> tuple[float, float, float, float]:
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def iter_polygons(geometry: dict[str, object]) -> Iterator[list[list[Point]]]:
    """The polygons of a GeoJSON Polygon or MultiPolygon geometry."""
    coords = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        yield [[(float(x), float(y)) for x, y in ring] for ring in coords]  # type: ignore[attr-defined]
    elif geometry["type"] == "MultiPolygon":
        for polygon in coords:  # type: ignore[attr-defined]
            yield [[(float(x), float(y)) for x, y in ring] for ring in polygon]


class Territories:
    """Named areas (districts, municipalities) as polygons: which one a point lies in."""

    def __init__(self, areas: dict[str, list[list[list[Point]]]]) -> None:
        self._areas = [(area_id, polygons, bbox([r for p in polygons for r in p]))
                       for area_id, polygons in areas.items()]

    def __len__(self) -> int:
        return len(self._areas)

    def locate(self, lat: float, lon: float) -> str | None:
        for area_id, polygons, (west, south, east, north) in self._areas:
            if west <= lon <= east and south <= lat <= north and any(
                    point_in_polygon(lon, lat, polygon) for polygon in polygons):
                return area_id
        return None

    def territory_of(self, lat: float | None, lon: float | None, given: str | None) -> tuple[str | None, str]:
        """The area of a point, else the one given (the resident's choice), and where it came from:
        "coordinates", "resident" or "none"."""
        if lat is not None and lon is not None:
            found = self.locate(lat, lon)
            if found:
                return found, "coordinates"
        return given, "resident" if given else "none"

    @classmethod
    def from_geojson(cls, data: dict[str, object]) -> Territories:
        areas: dict[str, list[list[list[Point]]]] = {}
        for feature in data["features"]:  # type: ignore[attr-defined]
            areas.setdefault(feature["properties"]["id"], []).extend(iter_polygons(feature["geometry"]))
        return cls(areas)
