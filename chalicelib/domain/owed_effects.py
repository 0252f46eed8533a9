"""What a save of a case still owes the outside world: letters, callbacks, replies on social media.

They are written with the save itself (one item beside the case, in the same transaction) and cleared
once sent, so a crash between the save and the send loses nothing: the sweeper finds what is left and
sends it again. Every effect is idempotent (a letter has its key, a webhook its id), so sending twice
after a crash between the send and the clearing shows nothing twice to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.case import CaseEvent

# Owed effects are swept like a step the case waits for (the `by_pending` index), under this name.
OWED_STEP = "effects"
MAX_SWEEPS = 8  # past this the sweeper leaves the item to the operators (consistency check)


@dataclass(frozen=True)
class OwedEffects:
    case_id: str
    seq: int  # the version of the case whose save recorded them: one item per save
    events: tuple[CaseEvent, ...]
    since: datetime  # when it was recorded, or last picked up by the sweeper
    sweeps: int = 0

    @property
    def given_up(self) -> bool:
        return self.sweeps >= MAX_SWEEPS

    def swept(self, now: datetime) -> OwedEffects:
        return replace(self, since=now, sweeps=self.sweeps + 1)
