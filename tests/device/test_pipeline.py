"""The frame pipeline on the real sample video: tracked faces are not re-encoded every frame."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from device.recognition.decision import Verdict
from device.recognition.pipeline import FramePipeline, iou
from device.terminal import Terminal


def _frames(video: Path, start: int, stop: int):
    capture = cv2.VideoCapture(str(video))
    capture.set(cv2.CAP_PROP_POS_FRAMES, start)
    fps = capture.get(cv2.CAP_PROP_FPS)
    for index in range(start, stop):
        ok, bgr = capture.read()
        if not ok:
            break
        yield index / fps, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    capture.release()


@pytest.mark.slow
def test_a_face_in_view_is_tracked_and_rechecked_not_encoded_every_frame(
        enrolled_db: Path, data_dir: Path) -> None:
    terminal = Terminal.open(enrolled_db)
    rule = terminal.match_rule()  # the engine's calibrated threshold for this library
    pipeline = FramePipeline(terminal.engine, lambda: terminal.cache.index, rule.threshold,
                             rule.margin, recheck_seconds=1.0)
    seen = encoded = 0
    decisions = []
    tracks = set()
    for t, rgb in _frames(data_dir / "video" / "short_hamilton_clip.mp4", 90, 215):
        result = pipeline.process(rgb, t)
        if result.faces:
            seen += 1
            tracks.add(result.track_id)
            assert result.faces[0].candidate
        encoded += result.encoded
        if result.decision is not None:
            decisions.append(result.decision)
    terminal.close()
    assert seen > 100
    assert encoded <= seen // 10  # about one encoding per second of video, not 30
    # At most one report per track, and every report names the right person.
    assert 1 <= len(decisions) <= len(tracks)
    assert {(d.verdict, d.person_id) for d in decisions} == {(Verdict.KNOWN,
                                                              "lin_manuel_miranda")}


def test_iou() -> None:
    assert iou((0, 10, 10, 0), (0, 10, 10, 0)) == 1.0
    assert iou((0, 10, 10, 0), (20, 30, 30, 20)) == 0.0
    assert iou((0, 10, 10, 0), (0, 10, 10, 5)) == pytest.approx(0.5)
