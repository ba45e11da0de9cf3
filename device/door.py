"""The door loop: frames in, decisions out (punch or alert), one frame at a time.

It decides; whoever owns the relay (device/door_service.py) opens the door.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from device.attendance import Attendance, DoorDecision
from device.recognition.pipeline import FramePipeline, FrameResult
from device.terminal import Terminal

LIBRARY_REFRESH_SECONDS = 0.5


@dataclass
class DoorStep:
    frame: FrameResult
    decision: DoorDecision | None


class DoorLoop:
    """Owns the pipeline for one camera."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self.attendance = Attendance(terminal.store)
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
        return DoorStep(frame, self.attendance.on_match(frame.decision, snapshot))
