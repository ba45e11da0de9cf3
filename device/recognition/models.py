"""The face models, each loaded on first use (face_recognition.api loads all four at import).

The door needs the HOG detector, the 5-point landmarks and the encoder (our numpy port of
dlib's ResNet, device/recognition/resnet.py); the 68-point landmarks (about 70 MB resident)
only when liveness looks for blinks, and dlib's own encoder only for jittered encodings.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import dlib

from device.recognition.model_files import model_file

if TYPE_CHECKING:
    from device.recognition.resnet import FaceNet

__all__ = ["detector", "encoder", "face_net", "landmarks_5", "landmarks_68", "model_file"]


@functools.cache
def detector() -> Any:
    return dlib.get_frontal_face_detector()


@functools.cache
def landmarks_5() -> Any:
    return dlib.shape_predictor(str(model_file("shape_predictor_5_face_landmarks.dat")))


@functools.cache
def landmarks_68() -> Any:
    return dlib.shape_predictor(str(model_file("shape_predictor_68_face_landmarks.dat")))


@functools.cache
def face_net() -> FaceNet:
    """The encoder the door uses: dlib's ResNet weights, run with numpy and OpenBLAS."""
    from device.recognition import resnet

    return resnet.load()


@functools.cache
def encoder() -> Any:
    """dlib's own encoder: the reference in tests, and jittered encodings (num_jitters > 1)."""
    return dlib.face_recognition_model_v1(
        str(model_file("dlib_face_recognition_resnet_model_v1.dat")))
