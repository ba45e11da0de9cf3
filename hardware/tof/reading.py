"""One distance reading, and the rule that turns a raw sensor value into one."""

from __future__ import annotations

from dataclasses import dataclass, field

from hardware.tof.constants import BLIND_ZONE_MM, MAX_RANGE_MM, NO_TARGET_RAW
from hardware.tof.enums import ReadingStatus


@dataclass(frozen=True, slots=True)
class Reading:
    """distance_mm is None only for NO_TARGET; out-of-range readings keep the raw value.

    t is time.monotonic() (or the injected clock) when the frame was decoded.
    """

    distance_mm: int | None
    status: ReadingStatus
    t: float
    raw: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"distance_mm": self.distance_mm, "status": str(self.status), "t": self.t}


@dataclass(frozen=True, slots=True)
class RangeLimits:
    min_mm: int = BLIND_ZONE_MM
    max_mm: int = MAX_RANGE_MM
    no_target_raw: frozenset[int] = field(default_factory=lambda: frozenset({NO_TARGET_RAW}))


DEFAULT_LIMITS = RangeLimits()


def classify(raw: int | None, t: float, limits: RangeLimits = DEFAULT_LIMITS) -> Reading:
    """No target and out-of-range are readings, not errors: the door just sees nobody."""
    if raw is None or raw in limits.no_target_raw:
        return Reading(None, ReadingStatus.NO_TARGET, t, raw)
    if raw < limits.min_mm or raw > limits.max_mm:
        return Reading(raw, ReadingStatus.OUT_OF_RANGE, t, raw)
    return Reading(raw, ReadingStatus.OK, t, raw)
