"""Focal length from one real person at a known distance: focal_px = eye_px * d / eye_mm.

The person stands (or a helper holds the camera) so that the eyes are `distance_mm` from
the lens, looking straight at it. With the nominal 63 mm inter-eye distance the result is
within about +-10% for most adults; measure the person's interpupillary distance (any
optician's ruler) and pass it as `eye_mm` to do better.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from device.errors import BadInput
from device.liveness.landmarks import eye_distance_px
from device.liveness.policy import NOMINAL_EYE_MM

if TYPE_CHECKING:
    from device.recognition.engines import Engine
    from device.terminal import Terminal

MIN_DISTANCE_MM = 150.0
MAX_DISTANCE_MM = 2000.0  # the TOF200F's range
MIN_EYE_PX = 10.0  # below this the landmarks are too coarse to measure with
MAX_FRONTAL_YAW = 0.15  # nose offset from the eyes' midpoint, in eye distances
DETECT_MAX_SIDE = 1024


@dataclass(frozen=True)
class Calibration:
    focal_px: float
    eye_px: float
    distance_mm: float
    eye_mm: float
    width_px: int  # the image's width: focal lengths scale with it


def focal_from_measurement(eye_px: float, distance_mm: float,
                           eye_mm: float = NOMINAL_EYE_MM) -> float:
    return eye_px * distance_mm / eye_mm


def calibrate_image(engine: Engine, rgb: np.ndarray, distance_mm: float,
                    eye_mm: float = NOMINAL_EYE_MM) -> Calibration:
    """Measure the largest face of `rgb`; BadInput says why an image cannot be used."""
    if not MIN_DISTANCE_MM <= distance_mm <= MAX_DISTANCE_MM:
        raise BadInput(f"distance {distance_mm:g} mm: use {MIN_DISTANCE_MM:g}-"
                       f"{MAX_DISTANCE_MM:g} mm")
    if not 40.0 <= eye_mm <= 90.0:
        raise BadInput(f"eye distance {eye_mm:g} mm: an adult's is 50-75 mm")
    faces = engine.detect(rgb, max_side=DETECT_MAX_SIDE)
    if not faces:
        raise BadInput("no face found in the calibration image")
    face = faces[0]
    eye_px = eye_distance_px(rgb, face)
    if eye_px < MIN_EYE_PX:
        raise BadInput(f"the face is too small ({eye_px:.1f} px between the eyes)")
    yaw = engine.quality(rgb, face).yaw
    if abs(yaw) > MAX_FRONTAL_YAW:
        raise BadInput("the face is turned away: look straight at the camera")
    return Calibration(focal_from_measurement(eye_px, distance_mm, eye_mm), eye_px,
                       distance_mm, eye_mm, int(rgb.shape[1]))


def calibrate(terminal: Terminal, image: str | Path | bytes | np.ndarray, distance_mm: float,
              eye_mm: float = NOMINAL_EYE_MM) -> Calibration:
    """Measure and store (camera_focal_px, camera_calibration_width_px) as a settings change.

    The image must come from the door camera at the resolution the door uses.
    """
    from device.imaging import load_rgb

    rgb = image if isinstance(image, np.ndarray) else load_rgb(image)
    result = calibrate_image(terminal.engine, rgb, distance_mm, eye_mm)
    terminal.change_settings(camera_focal_px=round(result.focal_px, 2),
                             camera_calibration_width_px=result.width_px)
    return result
