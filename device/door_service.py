"""The door as a running service: recognition off the UI thread, events for the views.

Qt-free (napari style): the touchscreen subscribes to these events and marshals them to
its own thread. Hardware reaches it through three small interfaces, so tests and the dev
PC plug in the sample video, a simulated approach and a fake relay.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import cv2
import numpy as np

from device.attendance import DoorDecision
from device.door import DoorLoop, DoorStep
from device.events import AlertKind, DoorOpenReason, EventType
from device.follower import LogFollower
from device.liveness.tof import fresh_distance_mm
from device.settings import DeviceSettings
from device.terminal import Terminal

log = logging.getLogger("facegate.door")

COMMAND_POLL_SECONDS = 0.5
SETTINGS_POLL_SECONDS = 0.5


class CameraFrame(Protocol):
    image: np.ndarray  # BGR
    t: float
    seq: int


class FrameFeed(Protocol):
    def wait_frame(self, after_seq: int = 0, timeout: float | None = None) -> Any: ...


class DoorRelay(Protocol):
    def pulse(self, seconds: float) -> None: ...


class WakeDistance(Protocol):
    """hardware.tof.wake.WakeDetector: someone nearer than this wakes the door."""

    wake_distance_mm: int


@dataclass(frozen=True)
class ProcessedFrame:
    rgb: np.ndarray
    step: DoorStep
    t: float


Listener = Callable[[Any], None]


class DoorEvent(StrEnum):
    """What a DoorService tells its subscribers; the value each listener is called with."""

    FRAME = "frame"  # ProcessedFrame, every frame processed
    DECISION = "decision"  # DoorDecision
    AWAKE = "awake"  # bool: someone at the door (or not)
    DOOR = "door"  # {"reason", "person_id"}: the relay took a pulse
    ERROR = "error"  # str: a frame failed, or the relay (a Notice.RELAY_FAILED text)


class DoorService:
    """One thread: newest camera frame -> pipeline -> decision -> relay and log."""

    def __init__(self, terminal: Terminal, frames: FrameFeed, relay: DoorRelay | None = None,
                 awake: bool = True, distance: Callable[[], Any] | None = None,
                 wake: WakeDistance | None = None) -> None:
        """`distance`: the TOF sensor's latest() reading, for the liveness scale cue.
        `wake`: the TOF wake detector, whose distance follows the wake_distance_mm setting."""
        self.terminal = terminal
        self.frames = frames
        self.relay = relay
        self.distance = distance
        self.wake = wake
        self.loop = DoorLoop(terminal)
        self._applied: DeviceSettings | None = None
        self._last_settings_poll = 0.0
        self.apply_settings(terminal.settings())
        self._awake = threading.Event()
        if awake:
            self._awake.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: dict[str, list[Listener]] = {kind: [] for kind in DoorEvent}
        self._commands = LogFollower(terminal.database.engine,
                                     [EventType.COMMAND_RECEIVED.value])  # from now on
        self._last_command_poll = 0.0
        self.frames_processed = 0

    # -- subscriptions ------------------------------------------------------------------

    def subscribe(self, kind: DoorEvent | str, listener: Listener) -> Callable[[], None]:
        """Call `listener` (on the door thread) on each event of this kind; the unsubscriber."""
        self._listeners[kind].append(listener)
        return lambda: self._listeners[kind].remove(listener)

    def _emit(self, kind: DoorEvent | str, value: Any) -> None:
        for listener in list(self._listeners[kind]):
            try:
                listener(value)
            except Exception:  # a broken view must not stop the door
                log.exception("%s listener failed", kind)

    # -- control ------------------------------------------------------------------------

    @property
    def awake(self) -> bool:
        return self._awake.is_set()

    def set_awake(self, awake: bool) -> None:
        """Someone is at the door (TOF): recognise. Nobody: stop burning the CPU."""
        if awake == self.awake:
            return
        (self._awake.set if awake else self._awake.clear)()
        self._emit(DoorEvent.AWAKE, awake)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="door", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._awake.set()  # wake the loop so it sees the stop
        if self._thread is not None:
            self._thread.join(timeout=10)

    def apply_settings(self, s: DeviceSettings) -> None:
        """The settings a running door holds in memory: the recogniser's threshold, margin
        and recheck time, and the wake detector's distance (it wins over the hardware
        profile's). The relay pulse, attendance and liveness settings are read where they
        are used (open_door, device/attendance.py, device/door.py)."""
        pipeline = self.loop.pipeline
        rule = self.terminal.match_rule(s)
        pipeline.threshold, pipeline.margin = rule.threshold, rule.margin
        pipeline.recheck_seconds = s.recheck_seconds
        if self.wake is not None and self.wake.wake_distance_mm != s.wake_distance_mm:
            log.info("wake distance now %d mm", s.wake_distance_mm)
            self.wake.wake_distance_mm = s.wake_distance_mm
        self._applied = s

    def open_door(self, reason: DoorOpenReason, person_id: str | None = None) -> bool:
        """Pulse the relay; the opening is in the log only if the relay took the pulse."""
        pulse = self.terminal.settings().relay_pulse_seconds
        try:
            if self.relay is not None:
                self.relay.pulse(pulse)
        except Exception as e:  # the relay stays locked (fail secure); say so
            log.error("door relay failed: %s", e)
            self.terminal.raise_alert(AlertKind.DEVICE_FAULT, f"door relay failed: {e}")
            self._emit(DoorEvent.ERROR, f"door relay failed: {e}")
            return False
        self.terminal.record_door_opened(reason, person_id, pulse)
        self._emit(DoorEvent.DOOR, {"reason": reason, "person_id": person_id})
        return True

    # -- the loop -----------------------------------------------------------------------

    def _run(self) -> None:
        seq = 0
        while not self._stop.is_set():
            self._follow_commands()
            self._follow_settings()
            if not self._awake.wait(timeout=COMMAND_POLL_SECONDS):
                continue
            frame = self.frames.wait_frame(after_seq=seq, timeout=0.5)
            if frame is None or self._stop.is_set():
                continue
            seq = frame.seq
            try:
                self._process(frame)
            except Exception as e:
                log.exception("frame failed")
                self._emit(DoorEvent.ERROR, str(e))

    def _process(self, frame: CameraFrame) -> None:
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        reading = self.distance() if self.distance is not None else None
        step = self.loop.step(rgb, distance_mm=fresh_distance_mm(reading, frame.t))
        self.frames_processed += 1
        self._emit(DoorEvent.FRAME, ProcessedFrame(rgb, step, frame.t))
        decision: DoorDecision | None = step.decision
        if decision is not None:
            if decision.open_door:
                self.open_door(DoorOpenReason.RECOGNISED, decision.person_id)
            self._emit(DoorEvent.DECISION, decision)

    def _follow_settings(self) -> None:
        """Settings changed by any process (screen, HTTP, CLI, fleet): also while asleep,
        when no frame reaches the door loop (the wake distance matters most then)."""
        now = time.monotonic()
        if now - self._last_settings_poll < SETTINGS_POLL_SECONDS:
            return
        self._last_settings_poll = now
        try:
            s = self.terminal.settings()
            if s != self._applied:
                self.apply_settings(s)
        except Exception:  # a busy database costs one poll, never the door
            log.exception("reading the settings failed")

    def _follow_commands(self) -> None:
        """Fleet commands recorded by the sync agent (another process) that need the door."""
        now = time.monotonic()
        if now - self._last_command_poll < COMMAND_POLL_SECONDS:
            return
        self._last_command_poll = now
        for event in self._commands.pull_all():
            command = event.payload
            if command.get("command") == "open_door" and command.get("status") == "ok" \
                    and time.time() <= float(command.get("expires_at", 0)):
                self.open_door(DoorOpenReason.FLEET_COMMAND)
