"""The face models, each loaded on first use (face_recognition.api loads all four at import).

The door needs the HOG detector, the 5-point landmarks and the encoder (our numpy port of
dlib's ResNet, device/recognition/resnet.py); the 68-point landmarks (about 70 MB resident)
only when liveness looks for blinks, and dlib's own encoder only for jittered encodings.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dlib

if TYPE_CHECKING:
    from device.recognition.resnet import FaceNet


def model_file(name: str) -> Path:
    """A file of the face_recognition_models package, found without importing it.

    Importing it imports pkg_resources, about 6 MB resident in every door process.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face_recognition_models is not installed (see README: make setup)")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / name
    if not path.is_file():
        raise RuntimeError(f"model file missing: {path} (reinstall face_recognition_models)")
    return path


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
