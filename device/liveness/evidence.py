"""Evidence per tracked face, and the decision: live, spoof, or wait a little longer.

The window starts when the face's track starts (so an approach already counts before the
recogniser has named the person) and is judged each frame while a decision is pending.
LIVE needs motion or a blink, and a plausible physical size when the camera is calibrated;
a size that is clearly wrong is SPOOF at once; no sign of life by the deadline is SPOOF.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from device.liveness import motion
from device.liveness.landmarks import eye_distance_px, landmarks_68
from device.liveness.policy import (
    CueResult,
    CueState,
    LivenessConfig,
    LivenessResult,
    LivenessVerdict,
)
from device.liveness.scale import scale_cue
from device.recognition.engine import DetectedFace

#: Frames are sampled at most this often (about 10 a second, whatever the camera rate):
#: the cues and their thresholds were measured at that rate, and a 30 fps door would
#: otherwise spend 68-point fits and homographies on frames 33 ms apart that add nothing.
OBSERVATION_INTERVAL_S = 0.09
#: The window keeps the newest observations only (about 2.4 s).
MAX_FRAMES = 24
#: A size judged wrong on this many readings ends the wait at once.
SCALE_FAIL_READINGS = 3
#: Fewer frames than this by the deadline: too little to call anyone live.
MIN_FRAMES = 3


@dataclass(frozen=True)
class Observation:
    t: float
    eye_px: float  # eye-centre distance from the 5-point landmarks (the recogniser's)
    landmarks: np.ndarray  # 68x2, dlib's 68-point model
    distance_mm: float | None  # TOF at this frame; None when no fresh reading
    width_px: int  # frame width, to scale the calibrated focal length


def observe(rgb: np.ndarray, face: DetectedFace, t: float,
            distance_mm: float | None) -> Observation:
    """What one frame says about the door candidate (one 68-point fit, ~3 ms)."""
    return Observation(t, eye_distance_px(rgb, face), landmarks_68(rgb, face.box),
                       distance_mm, rgb.shape[1])


class EvidenceWindow:
    """The newest observations of one face, with the pairwise residuals kept up to date."""

    def __init__(self, max_frames: int = MAX_FRAMES) -> None:
        self.frames: deque[tuple[int, Observation]] = deque()
        self.max_frames = max_frames
        self._residuals: dict[tuple[int, int], float] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def span(self) -> float:
        return self.frames[-1][1].t - self.frames[0][1].t if self.frames else 0.0

    def wants(self, t: float) -> bool:
        """Whether a frame taken at `t` should be observed (see OBSERVATION_INTERVAL_S)."""
        return not self.frames or t - self.frames[-1][1].t >= OBSERVATION_INTERVAL_S

    def add(self, obs: Observation) -> None:
        seq = self._seq
        self._seq += 1
        for old_seq, old in self.frames:
            if obs.t - old.t >= motion.MIN_PAIR_GAP_S:
                value = motion.homography_residual(old.landmarks, obs.landmarks)
                if np.isfinite(value):
                    self._residuals[(old_seq, seq)] = value
        self.frames.append((seq, obs))
        while len(self.frames) > self.max_frames:
            dropped, _ = self.frames.popleft()
            self._residuals = {k: v for k, v in self._residuals.items() if dropped not in k}

    def observations(self) -> list[Observation]:
        return [obs for _, obs in self.frames]

    def motion_cue(self, motion_min: float) -> CueResult:
        score = motion.window_score(self._residuals.values())
        if score is None:
            return CueResult("motion", CueState.UNAVAILABLE, None, "too few frames")
        eye_px = float(np.median([o.eye_px for o in self.observations()]))
        state = (CueState.PASS if score >= motion.motion_threshold(motion_min, eye_px)
                 else CueState.FAIL)
        return CueResult("motion", state, score)

    def blink_cue(self) -> CueResult:
        score = motion.blink_score([motion.eye_aspect_ratio(o.landmarks)
                                    for o in self.observations()])
        if score is None:
            return CueResult("blink", CueState.UNAVAILABLE, None, "too few frames")
        state = CueState.PASS if score >= motion.BLINK_DROP else CueState.FAIL
        return CueResult("blink", state, score)

    def scale_cue(self, config: LivenessConfig) -> CueResult:
        obs = self.observations()
        if not obs:
            return CueResult("scale", CueState.UNAVAILABLE, None, "no frames")
        return scale_cue([o.eye_px for o in obs], [o.distance_mm for o in obs],
                         config.focal_for_width(obs[-1].width_px), config.eye_mm_min,
                         config.eye_mm_max)

    def cues(self, config: LivenessConfig) -> tuple[CueResult, CueResult, CueResult]:
        return self.scale_cue(config), self.motion_cue(config.motion_min), self.blink_cue()


def assess(window: EvidenceWindow, config: LivenessConfig,
           waited_s: float) -> LivenessResult | None:
    """The verdict, or None to wait for more frames (`waited_s` since recognition)."""
    scale, moving, blink = cues = window.cues(config)

    def result(verdict: LivenessVerdict, reason: str) -> LivenessResult:
        return LivenessResult(verdict, reason, cues, len(window), window.span)

    scale_readings = sum(o.distance_mm is not None for o in window.observations())
    if scale.state is CueState.FAIL and scale_readings >= SCALE_FAIL_READINGS:
        return result(LivenessVerdict.SPOOF, "scale_out_of_range")
    alive = [c.name for c in (moving, blink) if c.state is CueState.PASS]
    size_ok = scale.state is CueState.PASS or config.focal_px <= 0
    if alive and size_ok:
        return result(LivenessVerdict.LIVE, "+".join(alive))
    if waited_s < config.max_wait_s:
        return None
    if scale.state is CueState.FAIL:
        return result(LivenessVerdict.SPOOF, "scale_out_of_range")
    if len(window) < MIN_FRAMES:
        return result(LivenessVerdict.SPOOF, "too_few_frames")
    if not alive:
        return result(LivenessVerdict.SPOOF, "no_motion")
    return result(LivenessVerdict.SPOOF, "no_distance")  # calibrated, but no TOF reading
