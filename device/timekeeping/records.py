"""What the reports read: punches and people, as plain records.

The caller (a door's projections, the hub's tables) builds these; the rules never read a
database. Corrections arrive already applied: a punch an admin added has `corrected` set,
one an admin voided has `voided` set (it stays, ignored by every figure, and marks its day
as corrected).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from device.timekeeping.errors import RuleError

__all__ = ["IN", "OUT", "Person", "Punch"]

IN = "in"  #: the values of device.events.PunchStatus
OUT = "out"


@dataclass(frozen=True, slots=True)
class Punch:
    person_id: str
    time: float  # UTC epoch seconds
    door_id: str = ""
    door_name: str | None = None  # the door's `device_name`; reports fall back to door_id
    status: str | None = None  # "in", "out" or None (unknown; each-check infers it)
    corrected: bool = False  # added by an admin (a missed punch)
    voided: bool = False  # voided by an admin: ignored, but the day shows as corrected
    seq: int = 0  # the log sequence: orders punches at the same second

    def __post_init__(self) -> None:
        if self.status not in (None, IN, OUT):
            raise RuleError(f"punch of {self.person_id} at {self.time}: status "
                            f"{self.status!r} is neither in nor out")
        if (isinstance(self.time, bool) or not isinstance(self.time, int | float)
                or not math.isfinite(self.time)):
            raise RuleError(f"punch of {self.person_id}: time {self.time!r} is not "
                            "epoch seconds")

    @property
    def door(self) -> str | None:
        """The door's name, or its id when it has none (None: neither)."""
        return self.door_name or self.door_id or None


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    name: str
    groups: tuple[str, ...] = ()
    enrolled_at: float | None = None  # UTC epoch seconds; no report row before it
    removed_at: float | None = None  # no report row after it
