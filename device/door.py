"""The door loop: frames in, decisions out (punch or alert), one frame at a time.

It decides; whoever owns the relay (device/door_service.py) opens the door. With liveness
on (device/liveness/), a recognised person's decision waits for the liveness verdict; the
TOF distance taken with the frame comes in as `distance_mm`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from device.attendance import Attendance, DoorDecision
from device.liveness.landmarks import preload
from device.liveness.policy import LivenessConfig
from device.recognition.pipeline import FramePipeline, FrameResult
from device.terminal import Terminal

LIBRARY_REFRESH_SECONDS = 0.5
SNAPSHOT_MARGIN = 0.5
SNAPSHOT_MAX_SIDE = 320


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
        liveness = LivenessConfig.from_settings(s)
        rule = terminal.match_rule(s)
        self.pipeline = FramePipeline(terminal.engine, lambda: terminal.cache.index,
                                      rule.threshold, rule.margin, s.recheck_seconds,
                                      liveness=liveness)
        if liveness.enabled:
            preload()
        self._refreshed = 0.0

    def _follow_settings(self) -> None:
        s = self.terminal.settings()
        if self.terminal.follow_engine(s.face_engine):  # switched by `engine switch`
            self.pipeline.engine, self.pipeline.track = self.terminal.engine, None
        rule = self.terminal.match_rule(s)  # tightens as the library grows
        self.pipeline.threshold, self.pipeline.margin = rule.threshold, rule.margin
        self.pipeline.recheck_seconds = s.recheck_seconds
        self.pipeline.liveness = LivenessConfig.from_settings(s)

    def step(self, rgb: np.ndarray, t: float | None = None,
             distance_mm: float | None = None) -> DoorStep:
        """One RGB frame taken at `t`; `distance_mm` is the TOF reading that goes with it."""
        now = time.time()
        t = now if t is None else t
        if now - self._refreshed >= LIBRARY_REFRESH_SECONDS:
            self.terminal.cache.refresh()  # people enrolled by another process appear
            self._follow_settings()  # changed at the screen, over HTTP or by a fleet command
            self._refreshed = now
        frame = self.pipeline.process(rgb, t, distance_mm)
        if frame.decision is None:
            return DoorStep(frame, None)
        snapshot = None
        if not frame.decision.known or (frame.liveness is not None and frame.liveness.suspicious):
            snapshot = self.terminal.engine.crop(rgb, frame.faces[0].box, margin=SNAPSHOT_MARGIN,
                                                 max_side=SNAPSHOT_MAX_SIDE)
        return DoorStep(frame, self.attendance.on_match(frame.decision, snapshot,
                                                        liveness=frame.liveness))
