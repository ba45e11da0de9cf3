"""The scale cue: how large is the face in millimetres, given the TOF distance?

Pinhole camera: size_mm = size_px * distance_mm / focal_px. The size measured is the
distance between the eye centres from the 5-point landmarks, not the detector's box: the
box is not an anatomical measure (HOG boxes come in pyramid steps, 90 then 107 px on the
sample video for the same face) and depends on the detector, while eye centres are located
to a pixel or so and the adult inter-eye distance varies only about +-10%.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from device.liveness.policy import CueResult, CueState

#: Readings needed before the size is trusted (the median of them is used).
MIN_SCALE_READINGS = 2


def physical_size_mm(size_px: float, distance_mm: float, focal_px: float) -> float:
    return size_px * distance_mm / focal_px


def scale_cue(eye_px: Sequence[float], distance_mm: Sequence[float | None], focal_px: float,
              eye_mm_min: float, eye_mm_max: float) -> CueResult:
    """PASS if the median physical eye distance is that of an adult, FAIL if not."""
    if focal_px <= 0:
        return CueResult("scale", CueState.UNAVAILABLE, None, "camera not calibrated")
    sizes = [physical_size_mm(px, d, focal_px)
             for px, d in zip(eye_px, distance_mm, strict=True) if d is not None and d > 0]
    if len(sizes) < MIN_SCALE_READINGS:
        return CueResult("scale", CueState.UNAVAILABLE, None, "no distance readings")
    size = float(np.median(sizes))
    if size < eye_mm_min:
        return CueResult("scale", CueState.FAIL, size, "face too small for its distance")
    if size > eye_mm_max:
        return CueResult("scale", CueState.FAIL, size, "face too large for its distance")
    return CueResult("scale", CueState.PASS, size)
