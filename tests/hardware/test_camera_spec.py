"""Choosing a frame source from a string; the CSI pipeline builder (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardware.camera import (
    FakeCamera,
    ImageFolderSource,
    OpenCvSource,
    SourceKind,
    csi_pipeline,
    open_source,
    parse_spec,
)
from hardware.camera.gstreamer import framerate_fraction

SEED_PIPELINE = (
    "nvarguscamerasrc sensor-id=0 ! "
    "video/x-raw(memory:NVMM),width=1280,height=720,framerate=30/1 ! "
    "nvvidconv flip-method=0 ! video/x-raw,format=BGRx ! "
    "videoconvert ! video/x-raw,format=BGR ! appsink drop=1 max-buffers=1"
)


def test_csi_pipeline_defaults() -> None:
    assert csi_pipeline() == SEED_PIPELINE


def test_csi_pipeline_options() -> None:
    pipeline = csi_pipeline(
        sensor_id=1, width=1920, height=1080, fps=29.97, flip=2, out_width=960, out_height=540
    )
    assert pipeline == (
        "nvarguscamerasrc sensor-id=1 ! "
        "video/x-raw(memory:NVMM),width=1920,height=1080,framerate=30000/1001 ! "
        "nvvidconv flip-method=2 ! video/x-raw,width=960,height=540,format=BGRx ! "
        "videoconvert ! video/x-raw,format=BGR ! appsink drop=1 max-buffers=1"
    )


@pytest.mark.parametrize(
    "kwargs",
    [{"flip": 8}, {"width": 0}, {"fps": 0}, {"out_width": 640}, {"sensor_id": -1}],
)
def test_csi_pipeline_rejects_bad_values(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        csi_pipeline(**kwargs)


def test_framerate_fraction() -> None:
    assert framerate_fraction(30) == "30/1"
    assert framerate_fraction(15.0) == "15/1"
    assert framerate_fraction(29.97) == "30000/1001"


def test_csi_url_builds_the_pipeline() -> None:
    source = open_source("csi://0?width=1280&height=720&fps=30&flip=0")
    assert isinstance(source, OpenCvSource)
    assert source.kind is SourceKind.CSI
    assert source.target == SEED_PIPELINE
    assert source.live


@pytest.mark.parametrize(
    ("spec", "kind", "target"),
    [
        ("0", SourceKind.USB, 0),
        ("2", SourceKind.USB, 2),
        ("/dev/video1", SourceKind.USB, "/dev/video1"),
        (
            "rtsp://user:pw@10.0.0.5:554/stream1?channel=2",
            SourceKind.NETWORK,
            "rtsp://user:pw@10.0.0.5:554/stream1?channel=2",
        ),
        ("https://cam.local/mjpeg", SourceKind.NETWORK, "https://cam.local/mjpeg"),
        (
            "videotestsrc ! videoconvert ! appsink",
            SourceKind.GSTREAMER,
            "videotestsrc ! videoconvert ! appsink",
        ),
        ("fake://?width=320&height=240", SourceKind.FAKE, "fake"),
        ("/no/such/clip.mp4", SourceKind.FILE, "/no/such/clip.mp4"),
    ],
)
def test_spec_kinds(spec: str, kind: SourceKind, target: object) -> None:
    parsed = parse_spec(spec)
    assert (parsed.kind, parsed.target) == (kind, target)


def test_integer_spec_and_options() -> None:
    parsed = parse_spec(0, width=640, height=480)
    assert parsed.kind is SourceKind.USB
    assert parsed.options == {"width": 640, "height": 480}


def test_query_options_are_typed_and_keywords_win(video_path: Path, tmp_path: Path) -> None:
    parsed = parse_spec(f"file://{video_path}?loop=yes&fps=10", fps=12)
    assert parsed.kind is SourceKind.FILE
    assert parsed.target == str(video_path)
    assert parsed.options == {"loop": True, "fps": 12.0}
    folder = parse_spec(str(tmp_path), loop="true", recursive="0")
    assert folder.kind is SourceKind.FOLDER
    assert folder.options == {"loop": True, "recursive": False}


@pytest.mark.parametrize(
    ("spec", "options", "message"),
    [
        ("", {}, "empty"),
        ("csi://front", {}, "sensor number"),
        ("csi://0?flip=9", {}, "flip"),
        ("0", {"loop": True}, "unknown option 'loop'"),
        ("clip.mp4", {"loop": "maybe"}, "yes/no"),
        ("fake://?fps=-3", {}, "positive"),
        ("rtsp://x/y", {"width": 3}, "unknown option"),
    ],
)
def test_bad_specs_are_value_errors(spec: str, options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_source(spec, **options)


def test_source_types(video_path: Path, data_dir: Path) -> None:
    assert isinstance(open_source("fake://"), FakeCamera)
    assert isinstance(open_source(str(data_dir / "faces")), ImageFolderSource)
    video = open_source(str(video_path), loop=True)
    assert isinstance(video, OpenCvSource) and video.loop and not video.live


def test_video_file_opens_and_reads(video_path: Path) -> None:
    with open_source(str(video_path)) as source:
        image = source.read()
        assert source.native_fps == pytest.approx(29.97, abs=0.01)
    assert image is not None and image.shape == (360, 640, 3)
