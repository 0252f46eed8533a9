"""Linking a new appeal to an open case about the same problem nearby (see domain/duplicates.py).

Runs in the assign step, after classification: the category is known, the case is not yet routed.
Candidates come from the sparse `by_geo` index (a few keys around the point), never a scan. The open
case is saved first (it counts one more resident); if the new case's own save then loses a race,
the step runs again and finds the link already made, so nobody is counted twice.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import duplicates
from chalicelib.domain.case import Case, CaseEvent
from chalicelib.services.deps import Dependencies


def link_if_duplicate(deps: Dependencies, case: Case, now: datetime) -> bool:
    keys = duplicates.keys_around(case)
    if not keys:
        return False
    main = duplicates.nearest_followable(case, deps.cases.followable_near(keys))
    if main is None:
        return False
    if main.add_linked(case.id, now):
        deps.cases.save(main)  # a ConcurrentUpdate re-runs the whole step on fresh data
    case.link_to(main.id, now, reason="О той же проблеме рядом уже сообщили: следите за общим обращением")
    return True


def followed(deps: Dependencies, case: Case) -> Case:
    """The case a resident follows: the open case it was linked to, or the case itself."""
    if case.duplicate_of is None:
        return case
    return deps.cases.get(case.duplicate_of) or case


def shared_timeline(deps: Dependencies, case: Case, main: Case) -> list[CaseEvent]:
    """The resident's own public steps up to the link, then the followed case's from then on."""
    own = [e for e in deps.cases.events(case.id) if e.public]
    if main is case:
        return own
    linked_at = own[-1].at if own else case.created_at
    return own + [e for e in deps.cases.events(main.id) if e.public and e.at >= linked_at]
