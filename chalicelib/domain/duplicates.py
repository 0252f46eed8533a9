"""Duplicates: a new appeal in the same category within 250 m of an open case follows that case.

Plain Python. Open cases with a category and coordinates carry a lookup key, `<category>#<cell>`
(see geo.py for the cells), so finding the candidates for a new appeal reads a few index keys
instead of scanning. The resident of the duplicate follows the open case; that case counts the
residents affected, which its executor sees.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.case import Case
from chalicelib.domain.geo import cell_of, cells_around, distance_m
from chalicelib.domain.statuses import Status

RADIUS_M = 250.0  # as FixMyStreet
# Cases a new report can follow: handled by an executor and not finished.
FOLLOWABLE = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.CLARIFICATION, Status.ANSWERED,
                        Status.RETURNED, Status.REOPENED})


def geo_key(category: str, lat: float, lon: float) -> str:
    return f"{category}#{cell_of(lat, lon)}"


def followable_key(case: Case) -> str | None:
    """The lookup key a case is indexed under while others can follow it; None when they cannot."""
    if (case.status not in FOLLOWABLE or case.duplicate_of or case.classification is None
            or case.lat is None or case.lon is None):
        return None
    return geo_key(case.classification.category, case.lat, case.lon)


def keys_around(case: Case, radius_m: float = RADIUS_M) -> list[str]:
    if case.classification is None or case.lat is None or case.lon is None:
        return []
    category = case.classification.category
    return [f"{category}#{cell}" for cell in cells_around(case.lat, case.lon, radius_m)]


def nearest_followable(case: Case, candidates: Iterable[Case], radius_m: float = RADIUS_M) -> Case | None:
    """The open case of the same category nearest to `case` within the radius (the oldest on a tie)."""
    if case.classification is None or case.lat is None or case.lon is None:
        return None
    found: list[tuple[float, str, Case]] = []
    for other in candidates:
        if other.id == case.id or followable_key(other) is None or other.lat is None or other.lon is None:
            continue
        if other.classification is None or other.classification.category != case.classification.category:
            continue
        distance = distance_m(case.lat, case.lon, other.lat, other.lon)
        if distance <= radius_m:
            found.append((distance, other.created_at.isoformat(), other))
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None
