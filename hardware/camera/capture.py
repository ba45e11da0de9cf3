"""CaptureThread: reads a FrameSource on its own thread and keeps only the newest frame."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from typing import Final, Self

from hardware.backoff import Backoff
from hardware.camera.base import Frame, FrameSource, Image, SourceError
from hardware.camera.enums import CaptureState
from hardware.listeners import Listeners, Unsubscribe, wait_until

log = logging.getLogger(__name__)

Clock = Callable[[], float]

DEFAULT_PACE_FPS: Final = 25.0  # a non-live source that reports no frame rate
DEFAULT_FPS_WINDOW: Final = 30  # frames over which the real fps is measured
DEFAULT_RECONNECT_INITIAL_S: Final = 0.5
DEFAULT_RECONNECT_MAX_S: Final = 10.0
PAUSE_POLL_S: Final = 0.5
# A live camera kept open while paused still holds frames from before the pause (driver
# queue, appsink); they must not reach recognition as "now".
STALE_FRAMES_AFTER_PAUSE: Final = 2
JOIN_TIMEOUT_S: Final = 3.0
_FINAL_STATES: Final = frozenset({CaptureState.ENDED, CaptureState.FAILED, CaptureState.STOPPED})


class _Outcome(Enum):
    ENDED = "ended"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class CaptureStatus:
    state: CaptureState
    reason: str = ""
    since: float = 0.0
    reconnects: int = 0

    def __str__(self) -> str:
        return f"{self.state} ({self.reason})" if self.reason else str(self.state)


class CaptureThread:
    """Newest-frame capture with pacing, fps measurement and reconnection.

    - latest()/wait_frame() return only the newest frame; frames nobody took before the
      next one arrived are dropped (counted in frames_dropped), never queued.
    - Non-live sources (file, folder, fake) are paced to fps, else the source's native
      fps, so a video behaves like a live camera; pace=False reads as fast as possible.
    - A failing source -> RECONNECTING(reason) and a retry after exponential backoff;
      after max_attempts consecutive failures (None = forever) or a non-retryable error
      -> FAILED(reason). End of a file without loop -> ENDED. Nothing escapes the thread.
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        fps: float | None = None,
        pace: bool | None = None,
        backoff: Backoff | None = None,
        max_attempts: int | None = None,
        fps_window: int = DEFAULT_FPS_WINDOW,
        clock: Clock = time.monotonic,
        name: str = "camera",
    ) -> None:
        if fps is not None and fps <= 0:
            raise ValueError("fps must be positive")
        if max_attempts is not None and max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.source = source
        self.name = name
        self._fps = fps
        self._pace = (not source.live) if pace is None else pace
        self._backoff = backoff or Backoff(
            DEFAULT_RECONNECT_INITIAL_S, max_s=DEFAULT_RECONNECT_MAX_S
        )
        self._max_attempts = max_attempts
        self._clock = clock
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()
        self._thread: threading.Thread | None = None
        self._latest: Frame | None = None
        self._taken_seq = 0
        self._seq = 0
        self._times: deque[float] = deque(maxlen=max(2, fps_window))
        self._status = CaptureStatus(CaptureState.STARTING, since=clock())
        self._failures = 0
        self._listeners: Listeners[CaptureStatus] = Listeners(f"{name} state")
        self.frames_dropped = 0
        self.reconnects = 0

    # -- control ----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
            self._thread.start()

    def close(self, timeout: float = JOIN_TIMEOUT_S) -> None:
        self._stop.set()
        self._unpaused.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._set_status(CaptureState.STOPPED)  # keeps ENDED/FAILED if already there

    def pause(self) -> None:
        """Stop reading frames (nobody at the door); the source stays open."""
        self._unpaused.clear()

    def resume(self) -> None:
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

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

    # -- consumers --------------------------------------------------------------------
    def latest(self) -> Frame | None:
        with self._cond:
            frame = self._latest
            if frame is not None:
                self._taken_seq = max(self._taken_seq, frame.seq)
            return frame

    def wait_frame(self, after_seq: int = 0, timeout: float | None = None) -> Frame | None:
        """The newest frame with seq > after_seq; None on timeout or once the thread has
        ended/failed/stopped without a newer frame."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                frame = self._latest
                if frame is not None and frame.seq > after_seq:
                    self._taken_seq = max(self._taken_seq, frame.seq)
                    return frame
                if self._status.state in _FINAL_STATES:
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)

    @property
    def status(self) -> CaptureStatus:
        with self._cond:
            return self._status

    @property
    def state(self) -> CaptureState:
        return self.status.state

    @property
    def frames_read(self) -> int:
        with self._cond:
            return self._seq

    @property
    def measured_fps(self) -> float:
        """Frames per second over the last fps_window frames (0.0 until two frames)."""
        with self._cond:
            if len(self._times) < 2:
                return 0.0
            span = self._times[-1] - self._times[0]
            return (len(self._times) - 1) / span if span > 0 else 0.0

    def add_state_listener(self, callback: Callable[[CaptureStatus], object]) -> Unsubscribe:
        return self._listeners.add(callback)

    def wait_for(
        self, predicate: Callable[[CaptureStatus], bool], timeout: float
    ) -> CaptureStatus | None:
        return wait_until(self._cond, lambda: self._status, predicate, timeout)

    # -- thread -----------------------------------------------------------------------
    def _main(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # last resort; _loop handles source errors itself
            log.exception("%s: capture thread died", self.name)
            self._set_status(CaptureState.FAILED, f"internal error: {exc!r}")

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.source.open()
                outcome = self._read_frames()
            except SourceError as exc:
                if not self._failed(str(exc), retryable=exc.retryable):
                    return
                continue
            except Exception as exc:
                log.exception("%s: unexpected error from %r", self.name, self.source)
                if not self._failed(f"{type(exc).__name__}: {exc}", retryable=True):
                    return
                continue
            finally:
                self._close_source()
            if outcome is _Outcome.ENDED:
                self._set_status(CaptureState.ENDED, f"end of {self.source.description}")
            return

    def _failed(self, reason: str, *, retryable: bool) -> bool:
        """Record a failure; True = retry after the backoff, False = give up."""
        self._failures += 1
        exhausted = self._max_attempts is not None and self._failures >= self._max_attempts
        if not retryable or exhausted:
            self._set_status(CaptureState.FAILED, reason)
            return False
        delay = self._backoff.next_delay()
        self._set_status(CaptureState.RECONNECTING, reason)
        log.warning("%s: %s; retrying in %.1f s", self.name, reason, delay)
        self._stop.wait(delay)
        if not self._stop.is_set():
            self.reconnects += 1
        return not self._stop.is_set()

    def _close_source(self) -> None:
        try:
            self.source.close()
        except Exception:
            log.debug("%s: close failed", self.name, exc_info=True)

    def _pace_interval(self) -> float | None:
        if not self._pace:
            return None
        fps = self._fps or self.source.native_fps or DEFAULT_PACE_FPS
        return 1.0 / fps

    def _read_frames(self) -> _Outcome:
        interval = self._pace_interval()
        next_due = self._clock()
        with self._cond:
            self._times.clear()
        while not self._stop.is_set():
            if not self._unpaused.is_set():
                self._wait_while_paused()
                if self.source.live:
                    self._discard_stale()
                next_due = self._clock()
                continue
            image = self.source.read()
            if image is None:
                return _Outcome.ENDED
            self._store(image)
            if interval is not None:
                next_due += interval
                now = self._clock()
                if next_due < now:  # behind (slow decode): do not burst to catch up
                    next_due = now
                self._stop.wait(next_due - now)
        return _Outcome.STOPPED

    def _wait_while_paused(self) -> None:
        self._set_status(CaptureState.PAUSED)
        with self._cond:
            self._times.clear()
        while not self._stop.is_set() and not self._unpaused.wait(PAUSE_POLL_S):
            pass

    def _discard_stale(self) -> None:
        for _ in range(STALE_FRAMES_AFTER_PAUSE):
            if self._stop.is_set() or self.source.read() is None:
                return

    def _store(self, image: Image) -> None:
        now = self._clock()
        with self._cond:
            if self._latest is not None and self._latest.seq > self._taken_seq:
                self.frames_dropped += 1
            self._seq += 1
            self._latest = Frame(image, now, self._seq)
            self._times.append(now)
            self._cond.notify_all()
            running = self._status.state is CaptureState.RUNNING
        if not running:
            self._failures = 0
            self._backoff.reset()
            self._set_status(CaptureState.RUNNING)

    def _set_status(self, state: CaptureState, reason: str = "") -> None:
        with self._cond:
            old = self._status
            if old.state in _FINAL_STATES:
                return
            if (old.state, old.reason) == (state, reason):
                return
            self._status = CaptureStatus(state, reason, self._clock(), self.reconnects)
            new = self._status
            self._cond.notify_all()
        log.log(logging.WARNING if reason else logging.INFO, "%s: %s", self.name, new)
        self._listeners.emit(new)
