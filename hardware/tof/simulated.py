"""SimulatedTof: a sensor without hardware that replays someone walking up to the door."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Final

from hardware.tof.base import Clock, SensorBase
from hardware.tof.constants import DEFAULT_POLL_HZ
from hardware.tof.enums import SensorState
from hardware.tof.reading import DEFAULT_LIMITS, RangeLimits, classify

SWAY_MM: Final = 15  # a standing person is never perfectly still
SWAY_PERIOD_S: Final = 1.3


@dataclass(frozen=True, slots=True)
class ApproachProfile:
    """One cycle: nobody (offset_s), approach start_mm -> near_mm, dwell, leave, nobody."""

    period_s: float = 20.0
    offset_s: float = 3.0
    start_mm: int = 1900
    near_mm: int = 450
    approach_s: float = 2.0
    dwell_s: float = 4.0
    leave_s: float = 1.5

    def __post_init__(self) -> None:
        busy = self.offset_s + self.approach_s + self.dwell_s + self.leave_s
        if min(self.offset_s, self.approach_s, self.dwell_s, self.leave_s) < 0:
            raise ValueError("approach profile durations must not be negative")
        if self.period_s <= 0 or busy > self.period_s:
            raise ValueError(f"approach profile needs period_s >= {busy:.1f} s")


def approach_distance(profile: ApproachProfile, elapsed_s: float) -> int | None:
    """Distance in mm at elapsed_s since the start, None when nobody is in range."""
    phase = elapsed_s % profile.period_s - profile.offset_s
    span = profile.start_mm - profile.near_mm
    if phase < 0:
        return None
    if phase < profile.approach_s:
        return round(profile.start_mm - span * phase / profile.approach_s)
    phase -= profile.approach_s
    if phase < profile.dwell_s:
        return round(profile.near_mm + SWAY_MM * math.sin(2 * math.pi * phase / SWAY_PERIOD_S))
    phase -= profile.dwell_s
    if phase < profile.leave_s:
        return round(profile.near_mm + span * phase / profile.leave_s)
    return None


class SimulatedTof(SensorBase):
    """Same interface as TofSensor (dev-pc default); produces readings at poll_hz."""

    def __init__(
        self,
        profile: ApproachProfile | None = None,
        *,
        poll_hz: float = DEFAULT_POLL_HZ,
        limits: RangeLimits = DEFAULT_LIMITS,
        clock: Clock = time.monotonic,
        name: str = "tof-sim",
    ) -> None:
        super().__init__(name, clock)
        if poll_hz <= 0:
            raise ValueError("poll_hz must be positive")
        self.profile = profile or ApproachProfile()
        self.poll_hz = poll_hz
        self.limits = limits

    def _run(self) -> None:
        period = 1.0 / self.poll_hz
        start = self._clock()
        next_t = start
        while not self._stop.is_set():
            now = self._clock()
            raw = approach_distance(self.profile, now - start)
            self._publish(classify(raw, now, self.limits))
            next_t += period
            if next_t < now:
                next_t = now
            self._stop.wait(next_t - now)
        self._set_status(SensorState.CLOSED)
