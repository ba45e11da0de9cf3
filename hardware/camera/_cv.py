"""Lazy OpenCV import: only camera code that really decodes/captures needs it."""

from __future__ import annotations

import functools
import os
import re
from types import ModuleType

from hardware.camera.base import SourceError

LOG_LEVEL_ENV = "OPENCV_LOG_LEVEL"
QUIET_LOG_LEVEL = "ERROR"  # OpenCV's own warnings repeat on every reconnect attempt


def cv2() -> ModuleType:
    os.environ.setdefault(LOG_LEVEL_ENV, QUIET_LOG_LEVEL)  # read once, at the first import
    try:
        import cv2 as module
    except ImportError as exc:  # pragma: no cover - opencv is a project dependency
        raise SourceError(
            f"OpenCV is not installed ({exc}); pip install opencv-python-headless",
            retryable=False,
        ) from exc
    return module


@functools.cache
def has_gstreamer() -> bool:
    """True when this OpenCV build can open GStreamer pipelines (pip wheels cannot)."""
    info = cv2().getBuildInformation()
    match = re.search(r"GStreamer:\s*(\S+)", info)
    return match is not None and match.group(1).upper() != "NO"
