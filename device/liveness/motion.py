"""Motion cues: non-rigid landmark motion and eye blinks, on 68-point landmark sequences.

A photo or a screen held in front of the camera is a plane; however the hand moves it, the
image of every point on it moves by one homography (a plane seen by a pinhole camera). The
residual of the best homography between two frames' landmarks is then only landmark noise.
A real face is not a plane: turning the head shows parallax (nose against cheeks), and
blinks, speech and expression move points against each other. The residual is measured in
eye distances so that it does not depend on how large the face is in the frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import cv2
import numpy as np

from device.liveness.landmarks import FIT_POINTS_68, LEFT_EYE_68, RIGHT_EYE_68, eye_distance_68

#: Pairs of frames closer in time than this say little: motion has had no time to add up.
MIN_PAIR_GAP_S = 0.08
#: A blink takes the eye aspect ratio this far below open (0.45: to 55% of open or less);
#: landmark noise on a still photo reached 0.27 in the development run.
BLINK_DROP = 0.45
#: Landmark noise, in pixels, that a still picture's homography residual does not go
#: below: on small faces the motion threshold rises to this over the eye distance.
LANDMARK_NOISE_PX = 1.0
#: The open-eye reference: this percentile of the window's eye aspect ratios.
OPEN_EYE_PERCENTILE = 75
MIN_BLINK_FRAMES = 3


def homography_residual(a: np.ndarray, b: np.ndarray,
                        points: np.ndarray = FIT_POINTS_68) -> float:
    """RMS distance (in eye distances of `b`) of `b`'s landmarks from `a`'s after the
    least-squares homography a -> b: about 0 for a rigid plane, larger for a live face."""
    src, dst = a[points].astype(np.float64), b[points].astype(np.float64)
    matrix, _ = cv2.findHomography(src, dst, 0)
    if matrix is None:
        return float("nan")
    moved = cv2.perspectiveTransform(src[None], matrix)[0]
    scale = eye_distance_68(b) or 1.0
    return float(np.sqrt(((moved - dst) ** 2).sum(axis=1).mean()) / scale)


def pair_residuals(times: Sequence[float], landmarks: Sequence[np.ndarray],
                   min_gap_s: float = MIN_PAIR_GAP_S) -> list[float]:
    """Homography residuals of every pair of frames at least `min_gap_s` apart."""
    out = []
    for j in range(len(landmarks)):
        for i in range(j):
            if times[j] - times[i] >= min_gap_s:
                value = homography_residual(landmarks[i], landmarks[j])
                if np.isfinite(value):
                    out.append(value)
    return out


def window_score(residuals: Iterable[float]) -> float | None:
    """The non-rigid motion of a window from its pair residuals: the second largest (one
    bad landmark fit cannot make a photo look alive); None with fewer than two pairs."""
    ordered = sorted(residuals, reverse=True)
    return ordered[1] if len(ordered) >= 2 else None


def motion_score(times: Sequence[float], landmarks: Sequence[np.ndarray],
                 min_gap_s: float = MIN_PAIR_GAP_S) -> float | None:
    return window_score(pair_residuals(times, landmarks, min_gap_s))


def motion_threshold(motion_min: float, eye_px: float) -> float:
    """The residual a window must exceed: `motion_min`, or more on a small face."""
    return max(motion_min, LANDMARK_NOISE_PX / eye_px) if eye_px > 0 else motion_min


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Soukupova and Cech's EAR, both eyes averaged: about 0.3 open, under 0.15 closed."""
    ratios: list[float] = []
    for eye in (RIGHT_EYE_68, LEFT_EYE_68):
        p = points[eye]
        vertical = np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])
        horizontal = 2 * np.linalg.norm(p[0] - p[3])
        ratios.append(float(vertical / horizontal) if horizontal else 0.0)
    return float(np.mean(ratios))


def blink_score(ears: Sequence[float]) -> float | None:
    """How far the eyes closed relative to open (0: never, 1: fully); None if too few."""
    if len(ears) < MIN_BLINK_FRAMES:
        return None
    values = np.asarray(ears, dtype=np.float64)
    open_eye = float(np.percentile(values, OPEN_EYE_PERCENTILE))
    if open_eye <= 0:
        return None
    return float(max(0.0, 1.0 - values.min() / open_eye))
