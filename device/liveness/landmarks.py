"""Landmark geometry: eye distances from dlib's 5- and 68-point models, the 68-point call.

dlib's 5-point model (what the recogniser already computes): points 0-1 are the corners of
one eye, 2-3 of the other, 4 is below the nose. The midpoint of an eye's two corners is
close to the pupil when the person looks ahead, so the distance between the two midpoints
is close to the interpupillary distance, a body measure with a narrow adult range.
"""

from __future__ import annotations

import numpy as np

from device.recognition.engine import Box, DetectedFace

#: 68-point model (iBUG 300-W): the jaw line, then brows, nose, eyes, mouth.
JAW_68 = slice(0, 17)
RIGHT_EYE_68 = slice(36, 42)  # the subject's right eye: outer corner, two upper, inner, two lower
LEFT_EYE_68 = slice(42, 48)
#: Points whose positions a homography is fitted to: all but the jaw line, which dlib places
#: poorly (it follows the cheek outline, so it slides when the head turns even slightly).
FIT_POINTS_68 = np.arange(17, 68)


def eye_distance_5(points: np.ndarray) -> float:
    """Distance between the eye centres of a 5x2 landmark array, in pixels."""
    return float(np.linalg.norm((points[0] + points[1]) / 2 - (points[2] + points[3]) / 2))


def eye_distance_px(rgb: np.ndarray, face: DetectedFace) -> float:
    """The eye-centre distance liveness measures, whatever engine found the face: dlib's
    5-point corners (their midpoints), fitted on the face's box when the engine gave other
    landmarks (YuNet's eye centres sit about 15% wider apart: the eye-size bounds and the
    camera calibration are in dlib's measure)."""
    if face.shape is not None:  # the dlib engine fitted them already
        return eye_distance_5(face.landmarks)
    import dlib

    from device.recognition import models

    top, right, bottom, left = face.box
    shape = models.landmarks_5()(rgb, dlib.rectangle(left, top, right, bottom))
    return eye_distance_5(np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64))


def eye_distance_68(points: np.ndarray) -> float:
    """Distance between the eye centres of a 68x2 landmark array, in pixels."""
    return float(np.linalg.norm(points[RIGHT_EYE_68].mean(axis=0)
                                - points[LEFT_EYE_68].mean(axis=0)))


def landmarks_68(rgb: np.ndarray, box: Box) -> np.ndarray:
    """dlib's 68 landmarks of the face in `box` (top, right, bottom, left), 68x2 pixels.

    The 68-point model (~70 MB resident) loads on the first call: a door with liveness
    off never loads it.
    """
    import dlib

    from device.recognition import models

    top, right, bottom, left = box
    shape = models.landmarks_68()(rgb, dlib.rectangle(left, top, right, bottom))
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)


def preload() -> None:
    """Load the 68-point model now (about 1 s), not on the first person at the door."""
    from device.recognition import models

    models.landmarks_68()
