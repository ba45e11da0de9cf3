"""The live view: an MJPEG stream (multipart/x-mixed-replace) fed by a frame provider.

A frame provider is any callable returning the latest RGB frame (or None while there is
none). The GUI passes its camera's; `VideoFileFrames` plays a video file in a loop for
development and tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from device.errors import BadInput
from device.imaging import encode_jpeg

BOUNDARY = "frame"


class VideoFileFrames:
    """Frames of a video file at its own pace, looping; safe to call from many threads."""

    def __init__(self, path: str | Path, max_side: int = 640) -> None:
        import cv2

        self.path = Path(path)
        if not self.path.is_file():
            raise BadInput(f"{self.path}: no such video file")
        self._cv2 = cv2
        self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            raise BadInput(f"{self.path}: cannot open this video")
        self.fps = self._capture.get(cv2.CAP_PROP_FPS) or 25.0
        self.max_side = max_side
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._index = -1
        self._frame: np.ndarray | None = None

    def __call__(self) -> np.ndarray | None:
        with self._lock:
            wanted = int((time.monotonic() - self._started) * self.fps)
            while self._index < wanted:
                ok, bgr = self._capture.read()
                if not ok:
                    if self._index < 0:
                        break  # nothing readable at all
                    self._capture.set(self._cv2.CAP_PROP_POS_FRAMES, 0)  # the end: loop
                    self._started, self._index, wanted = time.monotonic(), -1, 0
                    continue
                self._index += 1
                self._frame = bgr
            return None if self._frame is None else self._rgb(self._frame)

    def _rgb(self, bgr: np.ndarray) -> np.ndarray:
        cv2 = self._cv2
        height, width = bgr.shape[:2]
        scale = min(1.0, self.max_side / max(height, width))
        if scale < 1.0:
            bgr = cv2.resize(bgr, (round(width * scale), round(height * scale)),
                             interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        with self._lock:
            self._capture.release()


def mjpeg_parts(frames: Callable[[], np.ndarray | None], fps: float,
                stop: threading.Event, max_frames: int | None = None) -> Iterator[bytes]:
    """multipart/x-mixed-replace parts, one JPEG each, until `stop` or the client leaves."""
    interval = 1.0 / max(fps, 0.1)
    sent = 0
    while not stop.is_set() and (max_frames is None or sent < max_frames):
        started = time.monotonic()
        rgb = frames()
        if rgb is not None:
            jpeg = encode_jpeg(rgb, quality=75)
            yield (f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                   f"Content-Length: {len(jpeg)}\r\n\r\n").encode() + jpeg + b"\r\n"
            sent += 1
        stop.wait(max(0.0, interval - (time.monotonic() - started)))
