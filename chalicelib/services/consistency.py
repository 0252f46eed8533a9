"""The consistency check: cases and deliveries stuck with nothing that moves them on.

Everything that waits in tsur has a way on: a pipeline step has a queued message and, behind it, the
`sweep_pending` schedule, which also sends the effects (letters, callbacks) a save left owed; a webhook
attempt has a queued message and, behind it, `sweep_deliveries`.
So something waiting well past the point where its sweeper should have acted is stuck: the sweeper
gave up (a case re-sent `MAX_STEP_RESENDS` times) or is not running. Parked and disabled deliveries are not
stuck (operators see and replay them) and are only counted. Reads go through the sparse indexes
(`by_pending`, `by_delivery`), never a scan, so it can run in production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.services import effects
from chalicelib.services.deps import Dependencies
from chalicelib.services.sweeper import STALE_AFTER
from chalicelib.settings import PIPELINE_STEPS

# Two runs of a once-a-minute schedule plus slack: past this, a sweeper that works would have acted.
SWEEP_MARGIN = timedelta(minutes=5)
LIMIT = 100


@dataclass
class Report:
    stuck_steps: dict[str, int] = field(default_factory=dict)
    stuck_effects: int = 0
    stuck_deliveries: int = 0
    parked_deliveries: int = 0
    disabled_deliveries: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.stuck_deliveries and not self.stuck_effects and not any(self.stuck_steps.values())

    def summary(self) -> dict[str, Any]:
        return {"ok": self.ok, "stuck_steps": self.stuck_steps, "stuck_effects": self.stuck_effects,
                "stuck_deliveries": self.stuck_deliveries,
                "parked_deliveries": self.parked_deliveries, "disabled_deliveries": self.disabled_deliveries,
                "examples": self.examples, "limit_per_check": LIMIT}


def check(deps: Dependencies) -> Report:
    now = deps.clock()
    report = Report()
    for step in PIPELINE_STEPS:
        # A working sweeper re-sends (and re-stamps) a case by STALE_AFTER; one past that plus the margin
        # was given up on or the sweeper does not run.
        before = now - STALE_AFTER - SWEEP_MARGIN
        stuck = deps.cases.waiting_since(step, before, LIMIT) + deps.cases.given_up(step, before, LIMIT)
        report.stuck_steps[step] = len(stuck)
        report.examples += [{"case_id": c.id, "step": step, "since": str(c.pending_since),
                             "sweeps": c.pending_sweeps, "gave_up": c.resends_exhausted}
                            for c in stuck[:5]]
    _check_effects(deps, report, now)
    late = deps.deliveries.scheduled_before(now - SWEEP_MARGIN, LIMIT)
    report.stuck_deliveries = len(late)
    report.examples += [{"webhook_id": d.id, "case_id": d.case_id, "due": str(d.sweep_at)} for d in late[:5]]
    report.parked_deliveries = len(deps.deliveries.in_state("parked", LIMIT))
    report.disabled_deliveries = len(deps.deliveries.in_state("disabled", LIMIT))
    return report


def _check_effects(deps: Dependencies, report: Report, now: datetime) -> None:
    """Effects the sweeper should have sent by now, and those it gave up on (at once: nothing retries them)."""
    late = deps.cases.owed_since(now - effects.STALE_AFTER - SWEEP_MARGIN, LIMIT)
    stuck = late + deps.cases.owed_since(now, LIMIT, given_up=True)
    report.stuck_effects = len(stuck)
    report.examples += [{"case_id": o.case_id, "effects": [e.kind for e in o.events], "since": str(o.since),
                         "sweeps": o.sweeps, "gave_up": o.given_up} for o in stuck[:5]]
