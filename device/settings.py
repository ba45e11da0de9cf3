"""Device settings: defaults here, changes are SettingsChanged events (projected to `settings`)."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from device.errors import BadInput
from device.liveness.policy import (
    DEFAULT_EYE_MM_MAX,
    DEFAULT_EYE_MM_MIN,
    DEFAULT_MAX_WAIT_S,
    DEFAULT_MOTION_MIN,
    LivenessPolicy,
)
from device.recognition.decision import DEFAULT_MARGIN, DEFAULT_THRESHOLD
from device.storage.schema import settings as settings_table


@dataclass(frozen=True)
class DeviceSettings:
    device_name: str = "FaceGate"
    language: str = "zh"
    match_threshold: float = DEFAULT_THRESHOLD
    match_margin: float = DEFAULT_MARGIN
    debounce_seconds: float = 120.0
    punch_mode: str = "toggle"  # "toggle": in, out, in...; "schedule": in before cutover
    schedule_cutover: str = "12:00"
    unknown_alert_interval: float = 30.0
    retention_days: float = 90.0
    relay_pulse_seconds: float = 3.0
    wake_distance_mm: int = 1000
    recheck_seconds: float = 1.0
    admin_pin_hash: str = ""
    liveness_policy: str = LivenessPolicy.PASSIVE.value  # "off" | "passive" | "strict"
    camera_focal_px: float = 0.0  # set by `python -m device.liveness calibrate`; 0: none
    camera_calibration_width_px: int = 0  # frame width the focal length was measured at
    liveness_eye_mm_min: float = DEFAULT_EYE_MM_MIN  # plausible eye-centre distance, mm
    liveness_eye_mm_max: float = DEFAULT_EYE_MM_MAX
    liveness_motion_min: float = DEFAULT_MOTION_MIN  # homography residual, eye distances
    liveness_max_wait_s: float = DEFAULT_MAX_WAIT_S  # longest wait for evidence

    def changed(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validated, typed values; BadInput names the first bad key."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if key not in fields:
                raise BadInput(f"unknown setting {key!r}")
            kind = type(getattr(self, key))
            try:
                clean[key] = kind(value)
            except (TypeError, ValueError) as e:
                raise BadInput(f"setting {key}: {value!r} is not a {kind.__name__}") from e
            if kind is float and not math.isfinite(clean[key]):
                raise BadInput(f"setting {key}: {value!r} is not a finite number")
            if kind in (int, float) and clean[key] < 0:
                raise BadInput(f"setting {key}: must not be negative")
        if clean.get("punch_mode", self.punch_mode) not in ("toggle", "schedule"):
            raise BadInput("setting punch_mode: use 'toggle' or 'schedule'")
        cutover = clean.get("schedule_cutover", self.schedule_cutover)
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", cutover):
            raise BadInput(f"setting schedule_cutover: {cutover!r} is not a time like 12:00")
        if not 0.0 < clean.get("match_threshold", self.match_threshold) < 2.0:
            raise BadInput("setting match_threshold: must be between 0 and 2")
        _check_liveness(clean, self)
        return clean


LIVENESS_LIMITS: dict[str, tuple[float, float]] = {
    "camera_focal_px": (0.0, 100_000.0), "camera_calibration_width_px": (0, 100_000),
    "liveness_eye_mm_min": (1.0, 200.0), "liveness_eye_mm_max": (1.0, 200.0),
    "liveness_motion_min": (0.0, 1.0), "liveness_max_wait_s": (0.0, 10.0)}


def _check_liveness(clean: dict[str, Any], current: DeviceSettings) -> None:
    policy = clean.get("liveness_policy", current.liveness_policy)
    if policy not in {p.value for p in LivenessPolicy}:
        raise BadInput("setting liveness_policy: use 'off', 'passive' or 'strict'")
    for key, (low, high) in LIVENESS_LIMITS.items():
        if key in clean and not (math.isfinite(clean[key]) and low <= clean[key] <= high):
            raise BadInput(f"setting {key}: must be between {low:g} and {high:g}")
    low = clean.get("liveness_eye_mm_min", current.liveness_eye_mm_min)
    if low >= clean.get("liveness_eye_mm_max", current.liveness_eye_mm_max):
        raise BadInput("setting liveness_eye_mm_min: must be below liveness_eye_mm_max")


def load_settings(connection: sa.Connection) -> DeviceSettings:
    stored = {row.key: json.loads(row.value)
              for row in connection.execute(sa.select(settings_table))}
    known = {f.name for f in dataclasses.fields(DeviceSettings)}
    return DeviceSettings(**{k: v for k, v in stored.items() if k in known})
