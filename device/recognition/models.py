"""dlib's models, each loaded on first use (face_recognition.api loads all four at import).

The door needs the HOG detector, the 5-point landmarks and the encoder; the 68-point
landmarks (about 70 MB resident) only when liveness looks for blinks.
"""

from __future__ import annotations

import functools
from typing import Any

import dlib
import face_recognition_models


@functools.cache
def detector() -> Any:
    return dlib.get_frontal_face_detector()


@functools.cache
def landmarks_5() -> Any:
    return dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location())


@functools.cache
def landmarks_68() -> Any:
    return dlib.shape_predictor(face_recognition_models.pose_predictor_model_location())


@functools.cache
def encoder() -> Any:
    return dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location())
