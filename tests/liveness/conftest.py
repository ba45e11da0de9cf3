"""Presentations on real frames: rendered photo attacks and the real sample video."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.liveness import (
    CAMERA_H,
    CAMERA_W,
    FOCAL_PX,
    Frame,
    Species,
    frame_times,
    photo_picture,
    rigid_sequence,
)
from device.liveness.landmarks import eye_distance_5
from device.liveness.policy import NOMINAL_EYE_MM
from device.recognition.engine import FaceEngine
from tests.support.presentations import BEZEL, PHOTO, VIDEO


@pytest.fixture(scope="session")
def engine() -> FaceEngine:
    return FaceEngine()


@pytest.fixture(scope="session")
def room() -> np.ndarray:
    """A plain grey wall behind the attacker's picture."""
    rng = np.random.default_rng(7)
    wall = np.full((CAMERA_H, CAMERA_W, 3), 90, np.uint8)
    return np.clip(wall + rng.normal(0, 6, wall.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def photo_attack(engine: FaceEngine, data_dir: Path,
                 room: np.ndarray) -> Callable[[float, float, int], list[Frame]]:
    """Frames of Obama's photo held by a hand at `scale` x life size, `distance` mm away."""
    picture = photo_picture(engine, data_dir / PHOTO)

    def make(scale: float, distance: float, seed: int = 3) -> list[Frame]:
        species = Species("test", "photo", (scale, scale), (distance, distance), (100, 150),
                          BEZEL)
        return list(rigid_sequence(picture, species, room, np.random.default_rng(seed),
                                   frame_times(2.0, 10.0)))
    return make


@pytest.fixture(scope="session")
def live_frames(engine: FaceEngine, data_dir: Path) -> list[Frame]:
    """2 s of the real sample video (Lin-Manuel Miranda talking) at 10 frames a second,
    with the TOF distance of an adult with 63 mm between the eyes at that face size."""
    capture = cv2.VideoCapture(str(data_dir / VIDEO))
    fps = capture.get(cv2.CAP_PROP_FPS)
    frames = []
    for index in range(280):
        ok, bgr = capture.read()
        if not ok:
            break
        if index < 130 or (index - 130) % 3:
            continue
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        faces = engine.detect(rgb)
        distance = (FOCAL_PX * NOMINAL_EYE_MM / eye_distance_5(faces[0].landmarks)
                    if faces else None)
        frames.append(Frame(rgb, (index - 130) / fps, distance))
        if len(frames) == 21:
            break
    capture.release()
    return frames
