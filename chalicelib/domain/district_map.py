"""The region's districts as an SVG map: paths already projected, so the pages draw them without map tiles.

An equirectangular projection with the longitude scaled by the cosine of the middle latitude (at 60°N a
degree of longitude is half a degree of latitude). `projection` gives the linear formula, so a page puts a
point on the map (x = (lon − lon0)·kx, y = (lat0 − lat)·ky) and reads a clicked point back. `start` is
where a keyboard's crosshair begins: inside the largest piece of a district (the map's own middle may be water).
"""

from __future__ import annotations

import math
from typing import Any

from chalicelib.domain.geo import bbox, iter_polygons, point_in_polygon

WIDTH = 600


def svg_map(geojson: dict[str, Any], width: int = WIDTH) -> dict[str, Any]:
    features = geojson["features"]
    rings = [ring for f in features for polygon in iter_polygons(f["geometry"]) for ring in polygon]
    west, south, east, north = bbox(rings)
    kx = width / (east - west)
    ky = kx / math.cos(math.radians((south + north) / 2))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * kx, 1), round((north - lat) * ky, 1)

    def path(geometry: dict[str, Any]) -> str:
        return "".join("M" + "L".join("{} {}".format(*xy(lon, lat)) for lon, lat in ring) + "Z"
                       for polygon in iter_polygons(geometry) for ring in polygon)

    return {"width": width, "height": round((north - south) * ky), "start": xy(*_start(features)),
            "projection": {"lon0": west, "lat0": north, "kx": kx, "ky": ky},
            "districts": [{"id": f["properties"]["id"], "name": f["properties"]["name"], "path": path(f["geometry"])}
                          for f in features]}



def _start(features: list[dict[str, Any]]) -> tuple[float, float]:
    """The middle of the largest district piece whose bounding box's middle lies inside it (not on water)."""
    found = []
    for polygon in (p for f in features for p in iter_polygons(f["geometry"])):
        west, south, east, north = bbox(polygon)
        lon, lat = (west + east) / 2, (south + north) / 2
        if point_in_polygon(lon, lat, polygon):
            found.append(((east - west) * (north - south), lon, lat))
    _, lon, lat = max(found)
    return lon, lat
