"""The face engine a door runs, chosen by the `face_engine` setting.

Both engines share one interface (device/recognition/engine.py's FaceEngine methods:
detect, acquire, locate, encode, quality, crop; `model_id` and `dim`). The new engine's
runtime is imported only when it is chosen, so a door with only dlib installed starts.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Protocol

import numpy as np

from device.recognition.face_models import EngineName, FaceModel, model_for

if TYPE_CHECKING:
    from device.recognition.engine import Box, DetectedFace, FaceQuality


class Engine(Protocol):
    """What the door, enrolment and identify need from a face engine."""

    model_id: str
    dim: int
    #: Enrol a photo's mirror image as a second sample (an engine whose encodings already
    #: average the face and its mirror image gains nothing from one: bench/openset.py).
    mirror_samples: bool

    def detect(self, rgb: np.ndarray, max_side: int | None = None,
               upsample: int | None = None) -> list[DetectedFace]: ...

    def acquire(self, rgb: np.ndarray) -> tuple[list[DetectedFace], int]: ...

    def locate(self, rgb: np.ndarray, box: Box) -> DetectedFace: ...

    def encode(self, rgb: np.ndarray, face: DetectedFace, jitters: int = 1) -> np.ndarray: ...

    def quality(self, rgb: np.ndarray, face: DetectedFace) -> FaceQuality: ...

    def crop(self, rgb: np.ndarray, box: Box, margin: float = 0.3,
             max_side: int = 200) -> np.ndarray: ...


def create_engine(name: str) -> Engine:
    """A new engine for the setting's value; a one-line error for an unknown name."""
    model_for(name)  # refuses unknown names
    if EngineName(name) is EngineName.DLIB:
        from device.recognition.engine import FaceEngine

        return FaceEngine()
    from device.recognition.mobileface import YuNetMobileFaceNet

    return YuNetMobileFaceNet()


@functools.cache
def shared_engine(name: str) -> Engine:
    """One engine per name per process (models load once; engines are thread-safe)."""
    return create_engine(name)


def model_of(engine: Engine) -> FaceModel:
    from device.recognition.face_models import MODELS

    return MODELS[engine.model_id]
