"""WakeDetector: is someone standing at the door? Pure logic with explicit timestamps."""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from hardware.listeners import Listeners, Unsubscribe
from hardware.tof.enums import ReadingStatus
from hardware.tof.reading import Reading

DEFAULT_WAKE_DISTANCE_MM: Final = 1000
DEFAULT_CONSECUTIVE: Final = 3
DEFAULT_IDLE_AFTER_S: Final = 10.0


class WakeState(StrEnum):
    IDLE = "idle"
    AWAKE = "awake"


@dataclass(frozen=True, slots=True)
class WakeEvent:
    state: WakeState
    t: float
    distance_mm: int | None = None


class WakeDetector:
    """AWAKE once `consecutive` OK readings in a row are closer than wake_distance_mm;
    IDLE again idle_after_s after the last such presence.

    Presence needs a streak so one stray reflection does not start recognition. Anything
    else (far, no target, out of range) breaks the streak. Readings carry their own
    timestamp; call tick(now) from a timer as well, so the detector also falls IDLE when
    the sensor goes silent (a faulted sensor sends no readings).
    """

    def __init__(
        self,
        wake_distance_mm: int = DEFAULT_WAKE_DISTANCE_MM,
        consecutive: int = DEFAULT_CONSECUTIVE,
        idle_after_s: float = DEFAULT_IDLE_AFTER_S,
    ) -> None:
        if consecutive < 1 or idle_after_s <= 0:
            raise ValueError("wake distance, consecutive count and idle time must be positive")
        self._wake_distance_mm: int
        self.wake_distance_mm = wake_distance_mm
        self.consecutive = consecutive
        self.idle_after_s = idle_after_s
        self._lock = threading.Lock()
        self._state = WakeState.IDLE
        self._streak = 0
        self._last_presence: float | None = None
        self._listeners: Listeners[WakeEvent] = Listeners("wake")

    @property
    def wake_distance_mm(self) -> int:
        return self._wake_distance_mm

    @wake_distance_mm.setter
    def wake_distance_mm(self, mm: int) -> None:
        """May change while running (the door follows the wake_distance_mm setting); the
        next reading is judged by the new distance."""
        if isinstance(mm, bool) or not isinstance(mm, numbers.Integral) or mm <= 0:
            raise ValueError(f"wake distance must be a positive whole number of mm, not {mm!r}")
        self._wake_distance_mm = int(mm)

    @property
    def state(self) -> WakeState:
        with self._lock:
            return self._state

    @property
    def present(self) -> bool:
        """True while the current streak is long enough (someone is there right now)."""
        with self._lock:
            return self._streak >= self.consecutive

    def add_listener(self, callback: Callable[[WakeEvent], object]) -> Unsubscribe:
        return self._listeners.add(callback)

    def update(self, reading: Reading) -> WakeEvent | None:
        """Feed one reading (e.g. as a TofSensor reading listener); returns a transition."""
        return self.observe(reading.distance_mm, reading.status, reading.t)

    def observe(self, distance_mm: int | None, status: ReadingStatus, t: float) -> WakeEvent | None:
        near = (
            status is ReadingStatus.OK
            and distance_mm is not None
            and distance_mm < self.wake_distance_mm
        )
        with self._lock:
            self._streak = self._streak + 1 if near else 0
            event = None
            if self._streak >= self.consecutive:
                self._last_presence = t
                if self._state is WakeState.IDLE:
                    self._state = WakeState.AWAKE
                    event = WakeEvent(WakeState.AWAKE, t, distance_mm)
            else:
                event = self._maybe_idle(t)
        if event is not None:
            self._listeners.emit(event)
        return event

    def tick(self, now: float) -> WakeEvent | None:
        """Time passes without readings; returns the IDLE transition if it is due."""
        with self._lock:
            event = self._maybe_idle(now)
        if event is not None:
            self._listeners.emit(event)
        return event

    def reset(self, now: float) -> WakeEvent | None:
        """Force IDLE (e.g. the sensor faulted and the core wants a known state)."""
        with self._lock:
            self._streak = 0
            if self._state is WakeState.IDLE:
                return None
            self._state = WakeState.IDLE
            self._last_presence = None
            event = WakeEvent(WakeState.IDLE, now)
        self._listeners.emit(event)
        return event

    def _maybe_idle(self, now: float) -> WakeEvent | None:
        if self._state is not WakeState.AWAKE or self._last_presence is None:
            return None
        if now - self._last_presence < self.idle_after_s:
            return None
        self._state = WakeState.IDLE
        return WakeEvent(WakeState.IDLE, now)
