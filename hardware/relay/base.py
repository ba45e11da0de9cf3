"""Relay: the fail-secure pulse logic shared by every relay backend.

A backend implements only _write(energised) and _close_backend(). Everything that keeps
the door from staying open lives here:

- pulse() energises and returns at once; a background thread de-energises at the
  deadline, in a ``finally`` so any error in that thread also closes the door;
- a watchdog thread per pulse forces the relay off if the pulse thread died or overran
  (deadline + grace) and keeps retrying a failed release until it succeeds;
- if energising fails, pulse() de-energises before raising RelayError;
- close() and interpreter exit de-energise.
"""

from __future__ import annotations

import atexit
import logging
import math
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Self

from hardware.listeners import Listeners, Unsubscribe
from hardware.relay.enums import PulseKind

log = logging.getLogger(__name__)

Clock = Callable[[], float]

DEFAULT_MAX_PULSE_S: Final = 30.0  # a longer request is clamped: a door is not a gate
DEFAULT_WATCHDOG_GRACE_S: Final = 0.5
JOIN_TIMEOUT_S: Final = 2.0

_LIVE_RELAYS: weakref.WeakSet[Relay] = weakref.WeakSet()


class RelayError(Exception):
    """The relay could not be driven; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class PulseEvent:
    kind: PulseKind
    t: float  # monotonic clock
    wall_time: float  # time.time(), for the event log
    seconds: float  # requested length (OPENED/EXTENDED) or energised time (CLOSED)
    relay: str
    detail: str = ""


class Relay(ABC):
    """A door relay: pulse(seconds) unlocks for that long, never longer."""

    def __init__(
        self,
        *,
        name: str = "relay",
        max_pulse_s: float = DEFAULT_MAX_PULSE_S,
        watchdog_grace_s: float = DEFAULT_WATCHDOG_GRACE_S,
        clock: Clock = time.monotonic,
    ) -> None:
        if max_pulse_s <= 0 or watchdog_grace_s <= 0:
            raise ValueError("max_pulse_s and watchdog_grace_s must be positive")
        self.name = name
        self.max_pulse_s = max_pulse_s
        self.watchdog_grace_s = watchdog_grace_s
        self._clock = clock
        self._cond = threading.Condition(threading.RLock())
        self._energised = False
        self._deadline = 0.0
        self._opened_at = 0.0
        self._closed = False
        self._worker: threading.Thread | None = None
        self._watchdog: threading.Thread | None = None
        self._listeners: Listeners[PulseEvent] = Listeners(f"{name} pulse")
        self.faults = 0
        _LIVE_RELAYS.add(self)

    # -- public -----------------------------------------------------------------------
    @property
    def energised(self) -> bool:
        """True while we believe the relay is energised (door unlocked); stays True
        after a failed release until a retry succeeds."""
        with self._cond:
            return self._energised

    def on_pulse(self, callback: Callable[[PulseEvent], object]) -> Unsubscribe:
        """Subscribe to OPENED/EXTENDED/CLOSED/FAILED (e.g. to record DoorOpened).
        Called on the caller's or the relay's thread: keep it short."""
        return self._listeners.add(callback)

    add_pulse_listener = on_pulse

    def pulse(self, seconds: float) -> None:
        """Energise for `seconds` (clamped to max_pulse_s) without blocking; a pulse
        during a pulse extends it. Raises ValueError for a bad duration and RelayError
        if the relay could not be energised (it is de-energised again first)."""
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError(f"pulse length must be a positive number of seconds, not {seconds}")
        if seconds > self.max_pulse_s:
            log.warning("%s: %.1f s pulse clamped to %.1f s", self.name, seconds, self.max_pulse_s)
            seconds = self.max_pulse_s
        failure: RelayError | None = None
        with self._cond:
            if self._closed:
                raise RelayError(f"{self.name} is closed")
            now = self._clock()
            if self._energised:
                self._deadline = max(self._deadline, now + seconds)
                self._cond.notify_all()
                event = self._event(PulseKind.EXTENDED, seconds)
            else:
                self._deadline = now + seconds
                self._opened_at = now
                failure = self._energise()
                kind = PulseKind.OPENED if failure is None else PulseKind.FAILED
                event = self._event(kind, seconds, "" if failure is None else str(failure))
        self._listeners.emit(event)
        if failure is not None:
            raise failure

    def close(self) -> None:
        """De-energise, stop the threads and release the hardware (idempotent)."""
        with self._cond:
            already = self._closed
            self._closed = True
            self._cond.notify_all()
        self._release("relay closed")
        for thread in (self._worker, self._watchdog):
            if thread is not None and thread is not threading.current_thread():
                thread.join(JOIN_TIMEOUT_S)
        if self.energised:
            log.error("%s: could not be de-energised on close", self.name)
        if not already:
            try:
                self._close_backend()
            except Exception:
                log.exception("%s: releasing the hardware failed", self.name)
        _LIVE_RELAYS.discard(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- backend ----------------------------------------------------------------------
    @abstractmethod
    def _write(self, energised: bool) -> None:
        """Drive the hardware; raise on failure."""

    @abstractmethod
    def _close_backend(self) -> None:
        """Release the hardware handle (after the relay is off)."""

    def _initial_off(self) -> None:
        """Backends call this at the end of __init__: a crashed predecessor may have
        left the relay energised."""
        try:
            self._write(False)
        except Exception as exc:
            raise RelayError(f"{self.name}: cannot drive the relay: {exc}") from exc

    # -- internals --------------------------------------------------------------------
    def _event(self, kind: PulseKind, seconds: float, detail: str = "") -> PulseEvent:
        return PulseEvent(kind, self._clock(), time.time(), seconds, self.name, detail)

    def _energise(self) -> RelayError | None:
        """Energise and start the pulse and watchdog threads; on any failure the relay is
        de-energised again and the error returned (the caller raises it)."""
        try:
            self._write(True)
        except Exception as exc:
            self.faults += 1
            self._best_effort_off()
            error = RelayError(f"{self.name}: could not energise: {exc}")
            error.__cause__ = exc
            return error
        self._energised = True
        try:
            self._start_threads()
        except Exception as exc:  # e.g. "can't start new thread": no timer, no pulse
            self.faults += 1
            self._best_effort_off()
            self._energised = False
            error = RelayError(f"{self.name}: cannot time the pulse: {exc}")
            error.__cause__ = exc
            return error
        return None

    def _best_effort_off(self) -> None:
        try:
            self._write(False)
        except Exception:
            log.exception("%s: de-energising after a failed pulse start failed too", self.name)

    def _start_threads(self) -> None:
        self._worker = threading.Thread(target=self._hold, name=f"{self.name}-pulse", daemon=True)
        self._watchdog = threading.Thread(
            target=self._watch, name=f"{self.name}-watchdog", daemon=True
        )
        self._worker.start()
        self._watchdog.start()

    def _hold(self) -> None:
        """Pulse thread: wait until the (possibly extended) deadline, then release."""
        reason = "pulse ended"
        try:
            with self._cond:
                while not self._closed:
                    remaining = self._deadline - self._clock()
                    if remaining <= 0:
                        break
                    self._wait(remaining)
                # Released under the same lock hold: no extension can slip in between.
                _, event = self._release_locked(reason)
            if event is not None:
                self._listeners.emit(event)
        except Exception as exc:
            reason = f"pulse thread error: {exc!r}"
            log.exception("%s: %s", self.name, reason)
        finally:
            self._release(reason)  # no-op when already off

    def _wait(self, seconds: float) -> None:
        """One wait step of the pulse thread (a seam for fault-injection tests)."""
        self._cond.wait(seconds)

    def _release(self, reason: str) -> bool:
        """De-energise if energised; True when the relay is (now) off."""
        with self._cond:
            ok, event = self._release_locked(reason)
        if event is not None:
            self._listeners.emit(event)
        return ok

    def _release_locked(self, reason: str) -> tuple[bool, PulseEvent | None]:
        if not self._energised:
            return True, None
        try:
            self._write(False)
        except Exception as exc:
            self.faults += 1
            log.error("%s: could not de-energise (%s); the watchdog retries", self.name, exc)
            return False, self._event(PulseKind.FAILED, 0.0, f"could not de-energise: {exc}")
        finally:
            self._cond.notify_all()
        self._energised = False
        held = self._clock() - self._opened_at
        return True, self._event(PulseKind.CLOSED, held, reason)

    def _watch(self) -> None:
        """Watchdog: force the relay off if the pulse thread died or overran, and retry
        a failed release every grace period until it succeeds."""
        grace = self.watchdog_grace_s
        while True:
            with self._cond:
                if not self._energised:
                    return
                worker = self._worker
                overdue = self._clock() - (self._deadline + grace)
                worker_gone = worker is None or not worker.is_alive()
                act = worker_gone or overdue >= 0 or self._closed
                if not act:
                    self._cond.wait(min(grace, -overdue))
                    continue
            why = "pulse thread gone" if worker_gone else "pulse overran"
            if self._release(f"watchdog: {why}"):
                return
            with self._cond:
                self._cond.wait(grace)


@atexit.register
def _close_all_relays() -> None:
    """Interpreter exit: daemon pulse threads die silently, so release every relay."""
    for relay in list(_LIVE_RELAYS):
        try:
            relay.close()
        except Exception:
            log.exception("closing %s at exit failed", relay.name)
