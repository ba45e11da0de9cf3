"""Guided enrolment at the camera: keep a few good frames, say what is wrong with the others.

Qt-free (belongs in device/library/ eventually). Each offered frame is checked with the
same quality rule enrolment uses (`device.library.enrolment.quality_problem`); a good
frame is kept when enough time has passed since the last kept one, so the samples differ
a little. `Terminal.enroll` then checks and encodes the kept frames in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from device.library.enrolment import DEFAULT_POLICY, QualityPolicy, quality_problem
from device.recognition.engine import Box, FaceEngine

SAMPLES_NEEDED = 3
MIN_INTERVAL_SECONDS = 0.6


class Hint(StrEnum):
    """What the person in front of the camera should do; the screen translates it."""

    NO_FACE = "no_face"
    ONE_PERSON = "one_person"
    COME_CLOSER = "come_closer"
    TOO_DARK = "too_dark"
    HOLD_STILL = "hold_still"  # blurred
    LOOK_AT_CAMERA = "look_at_camera"  # not frontal
    GOOD = "good"  # good, waiting for the interval
    CAPTURED = "captured"  # this frame was kept
    DONE = "done"


def hint_for_problem(problem: str) -> Hint:
    """`quality_problem` speaks English sentences; the screen needs a key to translate."""
    for prefix, hint in (("face too small", Hint.COME_CLOSER), ("too dark", Hint.TOO_DARK),
                         ("blurred", Hint.HOLD_STILL), ("face not frontal",
                                                        Hint.LOOK_AT_CAMERA)):
        if problem.startswith(prefix):
            return hint
    return Hint.LOOK_AT_CAMERA


@dataclass(frozen=True)
class Guidance:
    hint: Hint
    box: Box | None
    samples: int
    needed: int
    problem: str | None = None  # the core's own words, for the log and for tests


@dataclass
class GuidedCapture:
    engine: FaceEngine
    needed: int = SAMPLES_NEEDED
    min_interval: float = MIN_INTERVAL_SECONDS
    policy: QualityPolicy = DEFAULT_POLICY
    frames: list[np.ndarray] = field(default_factory=list)
    _last_kept: float = float("-inf")

    @property
    def done(self) -> bool:
        return len(self.frames) >= self.needed

    def offer(self, rgb: np.ndarray, t: float) -> Guidance:
        if self.done:
            return Guidance(Hint.DONE, None, len(self.frames), self.needed)
        faces = self.engine.detect(rgb)
        if not faces:
            return Guidance(Hint.NO_FACE, None, len(self.frames), self.needed)
        box = faces[0].box
        if len(faces) > 1:
            return Guidance(Hint.ONE_PERSON, box, len(self.frames), self.needed)
        problem = quality_problem(self.engine.quality(rgb, faces[0]), self.policy)
        if problem:
            return Guidance(hint_for_problem(problem), box, len(self.frames), self.needed,
                            problem)
        if t - self._last_kept < self.min_interval:
            return Guidance(Hint.GOOD, box, len(self.frames), self.needed)
        self.frames.append(rgb)
        self._last_kept = t
        return Guidance(Hint.DONE if self.done else Hint.CAPTURED, box, len(self.frames),
                        self.needed)
