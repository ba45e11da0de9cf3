"""What every distance sensor offers the core, and the thread/state plumbing they share."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from hardware.listeners import Listeners, Unsubscribe, wait_until
from hardware.tof.enums import FaultReason, SensorState
from hardware.tof.reading import Reading

Clock = Callable[[], float]
JOIN_TIMEOUT_S = 2.0

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SensorStatus:
    state: SensorState
    reason: FaultReason | None = None
    detail: str = ""
    since: float = 0.0

    def __str__(self) -> str:
        if self.reason is None:
            return str(self.state)
        return (
            f"{self.state} ({self.reason}: {self.detail})"
            if self.detail
            else (f"{self.state} ({self.reason})")
        )


@dataclass
class SensorStats:
    readings: int = 0
    crc_errors: int = 0
    exceptions: int = 0
    bad_lines: int = 0
    reconnects: int = 0


class DistanceSensor(Protocol):
    """The interface the core uses; TofSensor and SimulatedTof both provide it."""

    stats: SensorStats

    def start(self) -> None: ...
    def close(self) -> None: ...
    def latest(self) -> Reading | None: ...
    @property
    def status(self) -> SensorStatus: ...
    def add_reading_listener(self, callback: Callable[[Reading], object]) -> Unsubscribe: ...
    def add_state_listener(self, callback: Callable[[SensorStatus], object]) -> Unsubscribe: ...


class SensorBase(ABC):
    """Background thread, latest reading, status and listeners.

    Listeners run on the sensor thread: keep them short (hand over to a queue or a Qt
    signal). Subclasses implement _run(), which must return when self._stop is set.
    """

    def __init__(self, name: str, clock: Clock = time.monotonic) -> None:
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._latest: Reading | None = None
        self._status = SensorStatus(SensorState.CONNECTING, since=clock())
        self._reading_listeners: Listeners[Reading] = Listeners(f"{name} reading")
        self._state_listeners: Listeners[SensorStatus] = Listeners(f"{name} state")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats = SensorStats()

    # -- public -----------------------------------------------------------------------
    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._thread_main, name=self.name, daemon=True)
        self._thread.start()

    def close(self, timeout: float = JOIN_TIMEOUT_S) -> None:
        """Stop the thread and release the port; safe to call twice."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._set_status(SensorState.CLOSED)

    def latest(self) -> Reading | None:
        with self._lock:
            return self._latest

    @property
    def status(self) -> SensorStatus:
        with self._lock:
            return self._status

    @property
    def state(self) -> SensorState:
        return self.status.state

    def add_reading_listener(self, callback: Callable[[Reading], object]) -> Unsubscribe:
        return self._reading_listeners.add(callback)

    def add_state_listener(self, callback: Callable[[SensorStatus], object]) -> Unsubscribe:
        return self._state_listeners.add(callback)

    def wait_for(
        self, predicate: Callable[[SensorStatus], bool], timeout: float
    ) -> SensorStatus | None:
        """Block until predicate(status) holds; returns the status, or None on timeout."""
        return wait_until(self._changed, lambda: self._status, predicate, timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- for subclasses ---------------------------------------------------------------
    @abstractmethod
    def _run(self) -> None: ...

    def _thread_main(self) -> None:
        try:
            self._run()
        except Exception as exc:  # last resort: _run handles its own errors
            log.exception("%s thread died", self.name)
            self._set_status(SensorState.FAULT, FaultReason.INTERNAL, repr(exc))

    def _publish(self, reading: Reading) -> None:
        with self._lock:
            self._latest = reading
            self.stats.readings += 1
        if self.status.state is not SensorState.OK:
            self._set_status(SensorState.OK)
        self._reading_listeners.emit(reading)

    def _set_status(
        self, state: SensorState, reason: FaultReason | None = None, detail: str = ""
    ) -> None:
        """Change status; listeners hear only real changes (not every failed retry)."""
        with self._lock:
            old = self._status
            if old.state is SensorState.CLOSED:
                return
            if (old.state, old.reason, old.detail) == (state, reason, detail):
                return
            self._status = SensorStatus(state, reason, detail, self._clock())
            new = self._status
            self._changed.notify_all()
        if state is SensorState.FAULT:
            log.warning("%s: %s", self.name, new)
        else:
            log.info("%s: %s", self.name, new)
        self._state_listeners.emit(new)
