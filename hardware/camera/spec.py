"""Choose a FrameSource from one string, as written in a profile or on the command line.

    0, /dev/video1                     USB camera (V4L2)
    csi://0?width=1280&height=720&fps=30&flip=0   Jetson CSI camera (GStreamer)
    rtsp://user:pw@host/stream         network stream (also rtsps, http, https, rtmp)
    path/to/clip.mp4                   video file (options: loop, fps)
    path/to/folder                     directory of images (options: fps, loop, recursive)
    fake://?width=640&height=480&fps=15  synthetic frames
    "videotestsrc ! videoconvert ! appsink"  anything containing " ! ": raw GStreamer

Options come from the query string and/or keyword arguments (keywords win) and are
checked: an unknown option is an error, not silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from hardware.camera.base import FrameSource
from hardware.camera.enums import SourceKind

GST_SEPARATOR: Final = " ! "
NETWORK_SCHEMES: Final = frozenset({"rtsp", "rtsps", "http", "https", "rtmp"})
_V4L2_DEVICE = re.compile(r"/dev/video\d+")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def _positive_int(value: Any) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"must be positive, got {number}")
    return number


def _positive_float(value: Any) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(f"must be positive, got {number}")
    return number


_OPTION_TYPES: Final[Mapping[str, Callable[[Any], Any]]] = {
    "width": _positive_int,
    "height": _positive_int,
    "out_width": _positive_int,
    "out_height": _positive_int,
    "fps": _positive_float,
    "flip": int,
    "frames": _positive_int,
    "loop": _to_bool,
    "recursive": _to_bool,
    "rtsp_tcp": _to_bool,
}
_ALLOWED: Final[Mapping[SourceKind, frozenset[str]]] = {
    SourceKind.USB: frozenset({"width", "height", "fps"}),
    SourceKind.CSI: frozenset({"width", "height", "fps", "flip", "out_width", "out_height"}),
    SourceKind.NETWORK: frozenset({"rtsp_tcp"}),
    SourceKind.FILE: frozenset({"loop", "fps"}),
    SourceKind.FOLDER: frozenset({"fps", "loop", "recursive"}),
    SourceKind.GSTREAMER: frozenset(),
    SourceKind.FAKE: frozenset({"width", "height", "fps", "frames"}),
}


@dataclass(frozen=True)
class SourceSpec:
    kind: SourceKind
    target: int | str
    options: dict[str, Any] = field(default_factory=dict)


def _check_options(kind: SourceKind, raw: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in _ALLOWED[kind]:
            known = ", ".join(sorted(_ALLOWED[kind])) or "none"
            raise ValueError(f"unknown option {name!r} for a {kind} source (known: {known})")
        try:
            options[name] = _OPTION_TYPES[name](value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad value for camera option {name!r}: {exc}") from exc
    return options


def parse_spec(spec: str | int, **options: Any) -> SourceSpec:
    """Pure: classify a source string and validate its options (no file system access
    except telling a directory from a file)."""
    if isinstance(spec, bool):
        raise ValueError("camera source must be a string or a device index")
    if isinstance(spec, int):
        return SourceSpec(SourceKind.USB, spec, _check_options(SourceKind.USB, options))
    text = spec.strip()
    if not text:
        raise ValueError("empty camera source")
    if GST_SEPARATOR in text:
        return SourceSpec(SourceKind.GSTREAMER, text, _check_options(SourceKind.GSTREAMER, options))
    if text.isdigit():
        return SourceSpec(SourceKind.USB, int(text), _check_options(SourceKind.USB, options))
    if _V4L2_DEVICE.fullmatch(text):
        return SourceSpec(SourceKind.USB, text, _check_options(SourceKind.USB, options))
    url = urlsplit(text)
    scheme = url.scheme.lower()
    if scheme in NETWORK_SCHEMES:
        return SourceSpec(SourceKind.NETWORK, text, _check_options(SourceKind.NETWORK, options))
    merged = {**dict(parse_qsl(url.query, keep_blank_values=True)), **options}
    if scheme == "csi":
        sensor = url.netloc or "0"
        if not sensor.isdigit():
            raise ValueError(f"csi:// needs a sensor number, e.g. csi://0, got {text!r}")
        return SourceSpec(SourceKind.CSI, int(sensor), _check_options(SourceKind.CSI, merged))
    if scheme == "fake":
        return SourceSpec(SourceKind.FAKE, "fake", _check_options(SourceKind.FAKE, merged))
    if scheme == "file":
        return _path_spec(url.netloc + url.path, merged)
    if url.query and not Path(text).exists():
        return _path_spec(text.split("?", 1)[0], merged)
    return _path_spec(text, options)


def _path_spec(path_text: str, options: Mapping[str, Any]) -> SourceSpec:
    path = Path(path_text).expanduser()
    kind = SourceKind.FOLDER if path.is_dir() else SourceKind.FILE
    return SourceSpec(kind, str(path), _check_options(kind, options))


def open_source(spec: str | int, **options: Any) -> FrameSource:
    """Build the FrameSource for spec. No I/O yet: call open() (or hand it to a
    CaptureThread, which opens, reads and reconnects). Raises ValueError for a
    malformed spec or option."""
    return build_source(parse_spec(spec, **options))


def build_source(spec: SourceSpec) -> FrameSource:
    from hardware.camera.fake import FakeCamera
    from hardware.camera.folder import ImageFolderSource
    from hardware.camera.gstreamer import csi_pipeline
    from hardware.camera.opencv_source import OpenCvSource

    opts = dict(spec.options)
    kind = spec.kind
    if kind is SourceKind.FAKE:
        return FakeCamera(**opts)
    if kind is SourceKind.FOLDER:
        return ImageFolderSource(str(spec.target), **opts)
    if kind is SourceKind.CSI:
        pipeline = csi_pipeline(sensor_id=int(spec.target), **opts)
        return OpenCvSource(pipeline, kind, description=f"csi://{spec.target}")
    if kind is SourceKind.FILE:
        return OpenCvSource(spec.target, kind, loop=opts.get("loop", False), fps=opts.get("fps"))
    return OpenCvSource(spec.target, kind, **opts)
