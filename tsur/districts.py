"""Approximate district shapes from labelled points (appeals whose district is known).

There is no boundary file for St Petersburg's districts here, so we draw them from the data: the
points vote for their district in a grid of cells, each cell takes the district with the most
(distance-weighted) votes around it, cells far from any point stay outside, and the cells of each
district are traced into polygons. Neighbouring districts share their border edges exactly (the
same grid vertices), so a point on a border belongs to exactly one district.

Only geometry is written: no appeal, coordinate or text from the data ends up in the output.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

Cell = tuple[int, int]  # (row, column)
Vertex = tuple[int, int]  # grid corner (row, column)


@dataclass(frozen=True)
class Grid:
    south: float
    west: float
    dlat: float
    dlon: float

    def cell(self, lat: float, lon: float) -> Cell:
        return math.floor((lat - self.south) / self.dlat), math.floor((lon - self.west) / self.dlon)

    def corner(self, vertex: Vertex, digits: int = 5) -> tuple[float, float]:
        row, column = vertex
        return round(self.west + column * self.dlon, digits), round(self.south + row * self.dlat, digits)


def grid_for(points: Iterable[tuple[float, float]], cell_m: float) -> Grid:
    lats, lons = zip(*points, strict=True)
    mid = math.radians((min(lats) + max(lats)) / 2)
    dlat = cell_m / 111_195
    dlon = dlat / math.cos(mid)
    return Grid(south=round(min(lats) - 20 * dlat, 4), west=round(min(lons) - 20 * dlon, 4), dlat=dlat, dlon=dlon)


def vote(labelled: Iterable[tuple[str, float, float]], grid: Grid, reach: int, min_weight: float
         ) -> dict[Cell, str]:
    """Each cell takes the district with the largest vote of the points within `reach` cells,
    weighted by a Gaussian of the distance; cells with too little weight around them stay outside."""
    counts: dict[Cell, Counter[str]] = defaultdict(Counter)
    for label, lat, lon in labelled:
        counts[grid.cell(lat, lon)][label] += 1
    sigma2 = 2 * (reach / 2) ** 2
    span = range(-reach, reach + 1)
    kernel = [(dr, dc, math.exp(-(dr * dr + dc * dc) / sigma2))
              for dr in span for dc in span if dr * dr + dc * dc <= reach * reach]
    candidates = {(r + dr, c + dc) for r, c in counts for dr, dc, _ in kernel}
    labels: dict[Cell, str] = {}
    for row, column in candidates:
        votes: dict[str, float] = defaultdict(float)
        for dr, dc, weight in kernel:
            for label, n in counts.get((row + dr, column + dc), {}).items():
                votes[label] += n * weight
        if votes and sum(votes.values()) >= min_weight:
            labels[(row, column)] = max(votes, key=lambda label: votes[label])
    return labels


def absorb_islands(labels: dict[Cell, str], min_cells: int) -> dict[Cell, str]:
    """Small patches (stray votes) join the district around them, so no gap is left where they were."""
    result = dict(labels)
    for component in _components(labels):
        if len(component) >= min_cells:
            continue
        label = labels[next(iter(component))]
        around = Counter(result[n] for cell in component for n in _neighbours(cell)
                         if n in result and n not in component and result[n] != label)
        for cell in component:
            if around:
                result[cell] = around.most_common(1)[0][0]
            else:
                del result[cell]
    return result


def _neighbours(cell: Cell) -> list[Cell]:
    r, c = cell
    return [(r - 1, c), (r, c + 1), (r + 1, c), (r, c - 1)]


def _components(labels: dict[Cell, str]) -> list[set[Cell]]:
    seen: set[Cell] = set()
    components = []
    for start in labels:
        if start in seen:
            continue
        component, stack = {start}, [start]
        seen.add(start)
        while stack:
            for n in _neighbours(stack.pop()):
                if n not in seen and labels.get(n) == labels[start]:
                    seen.add(n)
                    component.add(n)
                    stack.append(n)
        components.append(component)
    return components


def _edges(cells: set[Cell]) -> dict[Vertex, list[Vertex]]:
    """Boundary edges of a set of cells, counter-clockwise around it (holes come out clockwise)."""
    out: dict[Vertex, list[Vertex]] = defaultdict(list)
    for r, c in cells:
        corners = [(r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c)]  # south-west, then counter-clockwise
        for i, neighbour in enumerate(_neighbours((r, c))):
            if neighbour not in cells:
                out[corners[i]].append(corners[(i + 1) % 4])
    return out


def _turn_rank(previous: Vertex, here: Vertex, candidate: Vertex) -> int:
    """Prefer the left turn at a vertex two rings touch, so rings never cross themselves."""
    d1 = (here[0] - previous[0], here[1] - previous[1])
    d2 = (candidate[0] - here[0], candidate[1] - here[1])
    cross = d1[1] * d2[0] - d1[0] * d2[1]  # positive: a left turn in (column, row) axes
    return -cross


def trace_rings(cells: set[Cell]) -> list[list[Vertex]]:
    edges = _edges(cells)
    rings: list[list[Vertex]] = []
    while edges:
        start = next(iter(edges))
        ring, previous, here = [start], start, edges[start][0]
        _take(edges, start, here)
        while here != start:
            ring.append(here)
            following = min(edges[here], key=lambda v: _turn_rank(previous, here, v))
            _take(edges, here, following)
            previous, here = here, following
        rings.append(_drop_collinear(ring))
    return rings


def _take(edges: dict[Vertex, list[Vertex]], start: Vertex, end: Vertex) -> None:
    edges[start].remove(end)
    if not edges[start]:
        del edges[start]


def _drop_collinear(ring: list[Vertex]) -> list[Vertex]:
    kept = []
    n = len(ring)
    for i, here in enumerate(ring):
        before, after = ring[i - 1], ring[(i + 1) % n]
        if (here[0] - before[0]) * (after[1] - here[1]) != (here[1] - before[1]) * (after[0] - here[0]):
            kept.append(here)
    return kept


def signed_area(ring: list[Vertex]) -> float:
    """Positive for counter-clockwise in (x = column, y = row)."""
    return sum(a[1] * b[0] - b[1] * a[0] for a, b in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def polygons(cells: set[Cell]) -> list[list[list[Vertex]]]:
    """Outer rings with their holes."""
    rings = trace_rings(cells)
    outers = [r for r in rings if signed_area(r) > 0]
    holes = [r for r in rings if signed_area(r) < 0]
    result = [[outer] for outer in outers]
    for hole in holes:
        for polygon in result:
            if _inside(hole[0], polygon[0]):
                polygon.append(hole)
                break
    return result


def _inside(vertex: Vertex, ring: list[Vertex]) -> bool:
    # A hole's corner lies on or inside its outer ring; test the centre of the cell beside it.
    y, x = vertex[0] + 0.5, vertex[1] + 0.5
    inside = False
    for (y1, x1), (y2, x2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def feature_collection(labels: dict[Cell, str], grid: Grid, names: dict[str, str], source: str
                       ) -> dict[str, object]:
    by_district: dict[str, set[Cell]] = defaultdict(set)
    for cell, label in labels.items():
        by_district[label].add(cell)
    features = []
    for district in sorted(by_district):
        parts = polygons(by_district[district])
        coordinates = [[[list(grid.corner(v)) for v in ring + ring[:1]] for ring in polygon] for polygon in parts]
        features.append({"type": "Feature", "properties": {"id": district, "name": names.get(district, district)},
                         "geometry": {"type": "MultiPolygon", "coordinates": coordinates}})
    return {"type": "FeatureCollection", "properties": {"source": source}, "features": features}
