"""The TOF reading that goes with a camera frame, if there is a fresh one.

Duck-typed on hardware.tof.reading.Reading (distance_mm, status, t on the monotonic
clock) so that device/ does not depend on hardware/.
"""

from __future__ import annotations

from typing import Protocol

#: A reading older than this (s) says where someone was, not where they are (the sensor
#: polls at 10 Hz, so a fresh reading is at most ~0.1 s old).
MAX_READING_AGE_S = 0.3
OK_STATUS = "ok"


class DistanceReading(Protocol):
    @property
    def distance_mm(self) -> int | None: ...
    @property
    def status(self) -> object: ...
    @property
    def t(self) -> float: ...


def fresh_distance_mm(reading: DistanceReading | None, frame_t: float,
                      max_age_s: float = MAX_READING_AGE_S) -> float | None:
    """The distance if `reading` is OK and within `max_age_s` of `frame_t` (same clock)."""
    if reading is None or reading.distance_mm is None or str(reading.status) != OK_STATUS:
        return None
    if abs(frame_t - reading.t) > max_age_s:
        return None
    return float(reading.distance_mm)
