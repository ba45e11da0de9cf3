"""Door detection: a 320-px pass, a 480-px retry only when it finds nothing, and a tracker
that keeps to the size that found the face (real frames of the sample clip)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from device.recognition.engine import DOOR_DETECT_MAX_SIDE, DOOR_RETRY_MAX_SIDE, FaceEngine
from device.recognition.matcher import FaceIndex
from device.recognition.pipeline import FramePipeline


def clip_frame(data_dir: Path, index: int) -> np.ndarray:
    capture = cv2.VideoCapture(str(data_dir / "video" / "short_hamilton_clip.mp4"))
    capture.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, bgr = capture.read()
    capture.release()
    assert ok
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    return FaceEngine()


def test_a_face_the_first_pass_misses_is_found_by_the_retry(data_dir: Path,
                                                            engine: FaceEngine) -> None:
    rgb = clip_frame(data_dir, 114)  # a 90-px face HOG misses on the 320-px copy
    assert engine.detect(rgb) == []
    faces, side = engine.acquire(rgb)
    assert side == DOOR_RETRY_MAX_SIDE and len(faces) == 1 and faces[0].width >= 80
    assert [f.box for f in engine.detect(rgb, DOOR_RETRY_MAX_SIDE)] == [f.box for f in faces]


def test_a_face_the_first_pass_finds_costs_no_retry(data_dir: Path, engine: FaceEngine,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rgb = clip_frame(data_dir, 150)
    sides = []
    real = engine._detect

    def recording(image, side, up):
        sides.append(side)
        return real(image, side, up)

    monkeypatch.setattr(engine, "_detect", recording)
    faces, side = engine.acquire(rgb)
    assert faces and side == DOOR_DETECT_MAX_SIDE and sides == [DOOR_DETECT_MAX_SIDE]
    sides.clear()
    assert engine.acquire(np.zeros((480, 640, 3), np.uint8)) == ([], DOOR_RETRY_MAX_SIDE)
    assert sides == [DOOR_DETECT_MAX_SIDE, DOOR_RETRY_MAX_SIDE]


def test_the_tracker_keeps_to_the_size_that_found_the_face(data_dir: Path,
                                                           engine: FaceEngine) -> None:
    sides: list[int | None] = []

    class Recording(FaceEngine):
        def _detect(self, image, side, up):
            sides.append(side)
            return super()._detect(image, side, up)

    pipeline = FramePipeline(Recording(), lambda: FaceIndex(), 0.55, 0.06)
    pipeline.process(clip_frame(data_dir, 114), 0.0)
    assert pipeline.track is not None and pipeline.track.detect_side == DOOR_RETRY_MAX_SIDE
    sides.clear()
    pipeline.process(clip_frame(data_dir, 115), 0.1)
    assert sides == [DOOR_RETRY_MAX_SIDE]  # no 320-px pass while following this face
