"""Guided enrolment at the camera: keep a few good frames, say what is wrong with the others.

Qt-free (belongs in device/library/ eventually). Each offered frame is checked with the
same quality rule enrolment uses (`device.library.enrolment.quality_problem`, a
QualityProblem with a code); a good frame is kept when enough time has passed since the
last kept one, so the samples differ a little. `Terminal.enroll` then checks and encodes
the kept frames in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from device.library.enrolment import (
    QualityCode,
    QualityPolicy,
    QualityProblem,
    policy_for,
    quality_problem,
)
from device.recognition.engine import Box
from device.recognition.engines import Engine

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
    SAME_PHOTO = "same_photo"  # a photo enrolled already, byte for byte (uploads only)
    GOOD = "good"  # good, waiting for the interval
    CAPTURED = "captured"  # this frame was kept
    DONE = "done"


#: What to ask of the person for each quality problem.
HINTS: dict[QualityCode, Hint] = {
    QualityCode.NO_FACE: Hint.NO_FACE,
    QualityCode.SEVERAL_FACES: Hint.ONE_PERSON,
    QualityCode.TOO_SMALL: Hint.COME_CLOSER,
    QualityCode.TOO_DARK: Hint.TOO_DARK,
    QualityCode.BLURRED: Hint.HOLD_STILL,
    QualityCode.NOT_FRONTAL: Hint.LOOK_AT_CAMERA,
    QualityCode.SAME_PHOTO: Hint.SAME_PHOTO,
}


def hint_for_problem(problem: QualityProblem) -> Hint:
    return HINTS[problem.code]


@dataclass(frozen=True)
class Guidance:
    hint: Hint
    box: Box | None
    samples: int
    needed: int
    problem: QualityProblem | None = None  # why the frame was not kept, if it was not good


@dataclass
class GuidedCapture:
    engine: Engine
    needed: int = SAMPLES_NEEDED
    min_interval: float = MIN_INTERVAL_SECONDS
    policy: QualityPolicy | None = None  # None: the engine's model's gates
    frames: list[np.ndarray] = field(default_factory=list)
    _last_kept: float = float("-inf")

    @property
    def done(self) -> bool:
        return len(self.frames) >= self.needed

    def offer(self, rgb: np.ndarray, t: float) -> Guidance:
        if self.done:
            return Guidance(Hint.DONE, None, len(self.frames), self.needed)
        faces = self.engine.detect(rgb)
        box = faces[0].box if faces else None
        if not faces:
            problem: QualityProblem | None = QualityProblem(QualityCode.NO_FACE)
        elif len(faces) > 1:
            problem = QualityProblem(QualityCode.SEVERAL_FACES, len(faces), 1)
        else:
            problem = quality_problem(self.engine.quality(rgb, faces[0]),
                                      self.policy or policy_for(self.engine.model_id))
        if problem is not None:
            return Guidance(hint_for_problem(problem), box, len(self.frames), self.needed,
                            problem)
        if t - self._last_kept < self.min_interval:
            return Guidance(Hint.GOOD, box, len(self.frames), self.needed)
        self.frames.append(rgb)
        self._last_kept = t
        return Guidance(Hint.DONE if self.done else Hint.CAPTURED, box, len(self.frames),
                        self.needed)
