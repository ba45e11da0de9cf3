"""Verdicts, cue results and the per-device liveness policy (standard library only)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class LivenessSettings(Protocol):
    """The settings the liveness configuration is read from (DeviceSettings has them):
    a protocol, so the settings module may import this one and not the other way round."""

    # Read-only members (DeviceSettings is a frozen dataclass), hence properties.
    @property
    def liveness_policy(self) -> str: ...
    @property
    def camera_focal_px(self) -> float: ...
    @property
    def camera_calibration_width_px(self) -> int: ...
    @property
    def liveness_eye_mm_min(self) -> float: ...
    @property
    def liveness_eye_mm_max(self) -> float: ...
    @property
    def liveness_motion_min(self) -> float: ...
    @property
    def liveness_max_wait_s(self) -> float: ...

#: Adult inter-eye distance (eye centre to eye centre, about the interpupillary distance):
#: mean about 63 mm, 5th-95th percentile about 55-70 mm (Dodgson 2004). The accepted band
#: is wider for measurement error: TOF +-3%, focal calibration +-5%, yaw (cos 30 deg = 0.87).
NOMINAL_EYE_MM = 63.0
DEFAULT_EYE_MM_MIN = 46.0
DEFAULT_EYE_MM_MAX = 80.0
#: Non-rigid landmark residual (RMS after the best homography, in eye distances) above
#: which a face moved like no flat picture can (docs/liveness.md: how it was chosen).
DEFAULT_MOTION_MIN = 0.035
#: The door waits at most this long after recognition for liveness evidence.
DEFAULT_MAX_WAIT_S = 1.5


class LivenessPolicy(StrEnum):
    OFF = "off"  # no check, no wait, nothing recorded
    PASSIVE = "passive"  # check and record; a suspicion raises an alert but still punches
    STRICT = "strict"  # a suspicion refuses: no punch, no door, an alert


class LivenessVerdict(StrEnum):
    LIVE = "live"
    SPOOF = "spoof"
    UNKNOWN = "unknown"  # not assessed: treated as before liveness existed


class CueState(StrEnum):
    PASS = "pass"  # evidence of a live face (or, for scale, a plausible size)
    FAIL = "fail"  # evidence of a replay
    UNAVAILABLE = "unavailable"  # no TOF reading, no calibration, too few frames


@dataclass(frozen=True)
class CueResult:
    name: str  # "scale", "motion", "blink"
    state: CueState
    score: float | None = None  # mm for scale, residual for motion, EAR drop for blink
    detail: str = ""

    def as_payload(self) -> dict[str, Any]:
        return {"state": self.state.value,
                "score": None if self.score is None else round(self.score, 4),
                "detail": self.detail}


@dataclass(frozen=True)
class LivenessResult:
    verdict: LivenessVerdict
    reason: str  # "motion", "blink", "scale_out_of_range", "no_motion", ...
    cues: tuple[CueResult, ...] = ()
    frames: int = 0
    seconds: float = 0.0  # span of the evidence window

    @property
    def suspicious(self) -> bool:
        return self.verdict is LivenessVerdict.SPOOF

    def cue(self, name: str) -> CueResult | None:
        return next((c for c in self.cues if c.name == name), None)

    def as_payload(self) -> dict[str, Any]:
        """The "liveness" object of PunchRecorded / AccessDecided payloads."""
        return {"verdict": self.verdict.value, "reason": self.reason, "frames": self.frames,
                "seconds": round(self.seconds, 3),
                "cues": {c.name: c.as_payload() for c in self.cues}}


@dataclass(frozen=True)
class LivenessConfig:
    policy: LivenessPolicy = LivenessPolicy.PASSIVE
    focal_px: float = 0.0  # 0: not calibrated, the scale cue is unavailable
    calibration_width_px: int = 0  # frame width the focal length was measured at
    eye_mm_min: float = DEFAULT_EYE_MM_MIN
    eye_mm_max: float = DEFAULT_EYE_MM_MAX
    motion_min: float = DEFAULT_MOTION_MIN
    max_wait_s: float = DEFAULT_MAX_WAIT_S

    @property
    def enabled(self) -> bool:
        return self.policy is not LivenessPolicy.OFF

    def focal_for_width(self, width_px: int) -> float:
        """The focal length in pixels of a frame `width_px` wide (same lens, scaled)."""
        if self.focal_px <= 0:
            return 0.0
        if self.calibration_width_px <= 0:
            return self.focal_px
        return self.focal_px * width_px / self.calibration_width_px

    @classmethod
    def from_settings(cls, s: LivenessSettings) -> LivenessConfig:
        return cls(LivenessPolicy(s.liveness_policy), s.camera_focal_px,
                   s.camera_calibration_width_px, s.liveness_eye_mm_min,
                   s.liveness_eye_mm_max, s.liveness_motion_min, s.liveness_max_wait_s)
