"""CaptureThread on the real sample video, folders and misbehaving sources."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hardware.backoff import Backoff
from hardware.camera import (
    CaptureState,
    CaptureStatus,
    CaptureThread,
    FakeCamera,
    FrameSource,
    SourceError,
    SourceKind,
    open_source,
)
from hardware.camera.base import Image
from tests.support.hardware import WAIT_S

VIDEO_FRAMES = 275


def in_state(*states: CaptureState) -> Callable[[CaptureStatus], bool]:
    return lambda status: status.state in states


def wait_until(predicate: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_newest_frame_only(video_path: Path) -> None:
    with CaptureThread(open_source(str(video_path))) as capture:
        first = capture.wait_frame(0, timeout=WAIT_S)
        assert first is not None and first.seq >= 1
        assert (first.width, first.height) == (640, 360)
        again = capture.latest()
        assert again is not None and again.seq >= first.seq
        seqs = [first.seq]
        for _ in range(3):
            # a slow consumer: three more frames are read before it asks again
            wait_until(lambda: capture.frames_read >= seqs[-1] + 3)
            frame = capture.wait_frame(seqs[-1], timeout=WAIT_S)
            assert frame is not None
            assert frame.seq >= seqs[-1] + 3  # the newest, not the next queued one
            seqs.append(frame.seq)
        dropped = capture.frames_dropped
        frames_read = capture.frames_read
    assert seqs == sorted(set(seqs))
    assert dropped >= 6  # frames the consumer missed were dropped, not queued
    assert dropped <= frames_read


def test_fps_is_measured_and_paced_to_the_native_rate(video_path: Path) -> None:
    with CaptureThread(open_source(str(video_path))) as capture:
        last = 0
        for _ in range(40):
            frame = capture.wait_frame(last, timeout=WAIT_S)
            assert frame is not None
            last = frame.seq
        fps = capture.measured_fps
    assert 0 < fps <= 31  # a video is never played faster than its 29.97 fps


def test_configured_fps_overrides_native(video_path: Path) -> None:
    with CaptureThread(open_source(str(video_path)), fps=10) as capture:
        frame = None
        for _ in range(12):
            frame = capture.wait_frame(frame.seq if frame else 0, timeout=WAIT_S)
        fps = capture.measured_fps
    assert 0 < fps <= 10.5


def test_end_of_file_ends(video_path: Path) -> None:
    capture = CaptureThread(open_source(str(video_path)), pace=False)
    states: list[CaptureStatus] = []
    capture.add_state_listener(states.append)
    with capture:
        status = capture.wait_for(in_state(CaptureState.ENDED), WAIT_S)
        assert status is not None and "end of" in status.reason
        last = capture.latest()
        assert last is not None
        assert capture.wait_frame(last.seq, timeout=WAIT_S) is None  # returns, no hang
    assert capture.frames_read == VIDEO_FRAMES
    assert [s.state for s in states] == [CaptureState.RUNNING, CaptureState.ENDED]
    assert capture.state is CaptureState.ENDED  # close() keeps the final state


def test_loop_restarts_the_video(video_path: Path) -> None:
    capture = CaptureThread(open_source(str(video_path), loop=True), pace=False)
    with capture:
        frame = capture.wait_frame(VIDEO_FRAMES + 10, timeout=WAIT_S)
        assert frame is not None
        assert capture.state is CaptureState.RUNNING
    assert capture.state is CaptureState.STOPPED


def test_missing_file_reconnects_then_fails(tmp_path: Path, fast_backoff: Backoff) -> None:
    missing = tmp_path / "gone.mp4"
    capture = CaptureThread(open_source(str(missing)), backoff=fast_backoff, max_attempts=3)
    states: list[CaptureStatus] = []
    capture.add_state_listener(states.append)
    with capture:
        failed = capture.wait_for(in_state(CaptureState.FAILED), WAIT_S)
        assert capture.wait_frame(0, timeout=WAIT_S) is None
    assert failed is not None and str(missing) in failed.reason
    assert states[0].state is CaptureState.RECONNECTING and str(missing) in states[0].reason
    assert capture.reconnects == 2


def test_file_that_appears_later_is_picked_up(
    tmp_path: Path, video_path: Path, fast_backoff: Backoff
) -> None:
    path = tmp_path / "later.mp4"
    with CaptureThread(open_source(str(path)), backoff=fast_backoff) as capture:
        assert capture.wait_for(in_state(CaptureState.RECONNECTING), WAIT_S)
        path.symlink_to(video_path)  # the USB stick got mounted
        assert capture.wait_frame(0, timeout=WAIT_S) is not None
        assert capture.state is CaptureState.RUNNING


class FlakySource(FrameSource):
    """A live camera that dies after `good` frames on its first opening."""

    kind = SourceKind.USB
    live = True

    def __init__(self, good: int, error: Exception) -> None:
        super().__init__("flaky")
        self.good = good
        self.error = error
        self.opens = 0
        self.reads = 0
        self.inner = FakeCamera(32, 24)

    def open(self) -> None:
        self.opens += 1
        self.reads = 0
        self.inner.open()

    def read(self) -> Image | None:
        self.reads += 1
        if self.opens == 1 and self.reads > self.good:
            raise self.error
        threading.Event().wait(0.005)
        return self.inner.read()

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize(
    "error", [SourceError("no frame from flaky (unplugged?)"), RuntimeError("driver bug")]
)
def test_a_source_that_disappears_is_reopened(error: Exception, fast_backoff: Backoff) -> None:
    source = FlakySource(good=5, error=error)
    capture = CaptureThread(source, backoff=fast_backoff)
    states: list[CaptureStatus] = []
    capture.add_state_listener(states.append)
    with capture:
        assert capture.wait_frame(20, timeout=WAIT_S) is not None
    assert [s.state for s in states[:3]] == [
        CaptureState.RUNNING,
        CaptureState.RECONNECTING,
        CaptureState.RUNNING,
    ]
    assert str(error) in states[1].reason
    assert source.opens == 2 and capture.reconnects == 1


def test_not_retryable_error_fails_at_once() -> None:
    source = FlakySource(good=0, error=SourceError("no GStreamer", retryable=False))
    with CaptureThread(source) as capture:
        status = capture.wait_for(in_state(CaptureState.FAILED), WAIT_S)
    assert status is not None and status.reason == "no GStreamer"
    assert source.opens == 1


def test_pause_stops_reading(video_path: Path) -> None:
    with CaptureThread(open_source(str(video_path), loop=True)) as capture:
        assert capture.wait_frame(0, timeout=WAIT_S) is not None
        capture.pause()
        assert capture.wait_for(in_state(CaptureState.PAUSED), WAIT_S)
        before = capture.frames_read
        threading.Event().wait(0.3)
        assert capture.frames_read == before
        capture.resume()
        assert capture.wait_frame(before, timeout=WAIT_S) is not None
        assert capture.state is CaptureState.RUNNING


class CountingCamera(FrameSource):
    """A live camera whose frames carry their read number in every pixel."""

    kind = SourceKind.USB
    live = True

    def __init__(self) -> None:
        super().__init__("counting")
        self.reads = 0

    def open(self) -> None:
        self.reads = 0

    def read(self) -> Image | None:
        import numpy as np

        self.reads += 1
        time.sleep(0.005)
        image: Image = np.full((2, 2, 3), self.reads % 256, dtype=np.uint8)
        return image

    def close(self) -> None:
        pass


def test_live_camera_drops_frames_from_before_the_pause() -> None:
    source = CountingCamera()
    with CaptureThread(source) as capture:
        assert capture.wait_frame(0, timeout=WAIT_S) is not None
        capture.pause()
        assert capture.wait_for(in_state(CaptureState.PAUSED), WAIT_S)
        last_before = capture.latest()
        reads_before = source.reads
        assert last_before is not None
        capture.resume()
        frame = capture.wait_frame(last_before.seq, timeout=WAIT_S)
    assert frame is not None
    assert int(frame.image[0, 0, 0]) >= reads_before + 3  # two stale reads thrown away


def test_image_folder(data_dir: Path) -> None:
    faces = sorted(p for p in (data_dir / "faces").rglob("*") if p.suffix in {".jpg", ".png"})
    capture = CaptureThread(open_source(str(data_dir / "faces")), pace=False)
    with capture:
        assert capture.wait_for(in_state(CaptureState.ENDED), WAIT_S)
    assert capture.frames_read == len(faces)
    last = capture.latest()
    assert last is not None and last.image.ndim == 3 and last.image.shape[2] == 3


def test_missing_or_empty_folder(tmp_path: Path, fast_backoff: Backoff) -> None:
    source = open_source(str(tmp_path))  # exists, but holds no images
    with CaptureThread(source, backoff=fast_backoff, max_attempts=1) as capture:
        status = capture.wait_for(in_state(CaptureState.FAILED), WAIT_S)
    assert status is not None and "no images" in status.reason


def test_fake_camera_frames() -> None:
    with CaptureThread(FakeCamera(64, 48, fps=100, frames=10)) as capture:
        assert capture.wait_for(in_state(CaptureState.ENDED), WAIT_S)
        frame = capture.latest()
    assert frame is not None and frame.image.shape == (48, 64, 3)
    assert capture.frames_read == 10
