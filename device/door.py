"""The door loop: frames in, decisions out (punch, door, alert), one frame at a time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from device.attendance import Attendance, DoorDecision
from device.eventlog.model import NewEvent
from device.events import EventType
from device.recognition.pipeline import FramePipeline, FrameResult
from device.terminal import Terminal

LIBRARY_REFRESH_SECONDS = 0.5


@dataclass
class DoorStep:
    frame: FrameResult
    decision: DoorDecision | None


class DoorLoop:
    """Owns the pipeline for one camera; `open_door` is the relay (fake, GPIO, serial)."""

    def __init__(self, terminal: Terminal,
                 open_door: Callable[[float], None] | None = None) -> None:
        self.terminal = terminal
        self.attendance = Attendance(terminal.store)
        self.open_door = open_door
        s = terminal.settings()
        self.pipeline = FramePipeline(terminal.engine, lambda: terminal.cache.index,
                                      s.match_threshold, s.match_margin, s.recheck_seconds)
        self._refreshed = 0.0

    def step(self, rgb: np.ndarray, t: float | None = None) -> DoorStep:
        now = time.time()
        t = now if t is None else t
        if now - self._refreshed >= LIBRARY_REFRESH_SECONDS:
            self.terminal.cache.refresh()  # people enrolled by another process appear
            self._refreshed = now
        frame = self.pipeline.process(rgb, t)
        if frame.decision is None:
            return DoorStep(frame, None)
        snapshot = None
        if not frame.decision.known:
            snapshot = self.terminal.engine.crop(rgb, frame.faces[0].box, margin=0.5,
                                                 max_side=320)
        decision = self.attendance.on_match(frame.decision, snapshot)
        if decision.open_door:
            self._open(decision)
        return DoorStep(frame, decision)

    def _open(self, decision: DoorDecision) -> None:
        pulse = self.terminal.settings().relay_pulse_seconds
        if self.open_door is not None:
            self.open_door(pulse)
        self.terminal.store.append([NewEvent(EventType.DOOR_OPENED, {
            "person_id": decision.person_id, "reason": "recognised", "pulse_seconds": pulse})])
