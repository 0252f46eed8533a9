"""Operators load routing rules into the running system, and see which rules are in force.

`load` checks a rules document against the region and the rubricator (every problem named by its rule
or executor, nothing stored unless all is well) and stores it as the next version, on condition that
nobody loaded another meanwhile. The assign step reads the rules in force through
`Dependencies.routing()`: the loaded version (cached for a minute in AWS), else the region file's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain.routing_rules import LoadedRouting, parse_document
from chalicelib.services.deps import Dependencies


def load(deps: Dependencies, document: Mapping[str, Any], actor: str, source: str = "") -> LoadedRouting:
    """Check and store `document` as the next version (RoutingRulesError, ConcurrentUpdate)."""
    checked = parse_document(document, deps.region, deps.rubricator)
    current = deps.routing_rules.current()
    loaded = LoadedRouting(checked.to_document(), (current.version if current else 0) + 1, deps.clock(), actor,
                           source)
    deps.routing_rules.save(loaded)
    return loaded


def in_force(deps: Dependencies) -> dict[str, Any]:
    """Which rules route cases now, for `tsur routing show`."""
    loaded = deps.routing_rules.current()
    if loaded is None:
        return {"version": None, "source": "chalicelib/data/region_spb.json", "rules": _rules_count(deps),
                "executors": len(deps.region.executors)}
    loaded_at = loaded.loaded_at.astimezone(deps.region.tz).strftime("%d.%m.%Y %H:%M")
    return {"version": loaded.version, "loaded_at": loaded_at, "loaded_by": loaded.loaded_by,
            "source": loaded.source, "rules": len(loaded.document.get("rules", [])),
            "executors": len(deps.executors), "added_executors": len(loaded.document.get("executors", [])),
            "in_use": deps.routing().version == loaded.version}


def _rules_count(deps: Dependencies) -> int:
    from chalicelib import reference

    return len(reference.shipped_rules())


def without_endpoint(deps: Dependencies, loaded: LoadedRouting) -> list[str]:
    """The loaded executors that have no webhook endpoint yet (their cases would wait for one)."""
    return [e["id"] for e in loaded.document.get("executors", []) if deps.directory.endpoint(e["id"]) is None]
