"""Sources read through cv2.VideoCapture: USB (V4L2), CSI/raw GStreamer, RTSP, files."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Final

from hardware.camera import _cv
from hardware.camera.base import FrameSource, Image, SourceError
from hardware.camera.enums import SourceKind

log = logging.getLogger(__name__)

MAX_PLAUSIBLE_FPS: Final = 1000.0  # some containers report 90000 (a timebase) as fps
LIVE_BUFFER_FRAMES: Final = 1  # keep the driver queue short: newest frame, not old ones
FFMPEG_OPTIONS_ENV: Final = "OPENCV_FFMPEG_CAPTURE_OPTIONS"
RTSP_OVER_TCP: Final = "rtsp_transport;tcp"

_API_BY_KIND: Final = {
    SourceKind.USB: "CAP_V4L2",
    SourceKind.CSI: "CAP_GSTREAMER",
    SourceKind.GSTREAMER: "CAP_GSTREAMER",
    SourceKind.NETWORK: "CAP_FFMPEG",
    SourceKind.FILE: "CAP_ANY",
}


class OpenCvSource(FrameSource):
    """cv2.VideoCapture with clear errors, optional size/fps requests and looping files."""

    def __init__(
        self,
        target: int | str,
        kind: SourceKind,
        *,
        description: str | None = None,
        loop: bool = False,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
        rtsp_tcp: bool = True,
    ) -> None:
        super().__init__(description or str(target))
        self.kind = kind
        self.live = kind is not SourceKind.FILE
        self.target = target
        self.loop = loop
        self.width = width
        self.height = height
        self.fps = fps
        self.rtsp_tcp = rtsp_tcp
        self._cap: Any = None
        self._native_fps: float | None = None

    @property
    def native_fps(self) -> float | None:
        return self._native_fps

    def open(self) -> None:
        cv2 = _cv.cv2()
        if self.kind in (SourceKind.CSI, SourceKind.GSTREAMER) and not _cv.has_gstreamer():
            raise SourceError(
                "this OpenCV has no GStreamer support; on the Jetson use the system OpenCV "
                "(python3-opencv from JetPack) instead of the pip wheel",
                retryable=False,
            )
        if self.kind is SourceKind.FILE and not Path(str(self.target)).is_file():
            raise SourceError(f"no such video file: {self.target}")
        if self.kind is SourceKind.NETWORK and self.rtsp_tcp:
            os.environ.setdefault(FFMPEG_OPTIONS_ENV, RTSP_OVER_TCP)
        api = getattr(cv2, _API_BY_KIND[self.kind])
        cap = cv2.VideoCapture(self.target, api)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open {self.kind} source {self.description}{self._hint()}")
        if self.live:
            cap.set(cv2.CAP_PROP_BUFFERSIZE, LIVE_BUFFER_FRAMES)
        if self.kind is SourceKind.USB:
            self._request_format(cap)
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._native_fps = fps if 0 < fps < MAX_PLAUSIBLE_FPS else None
        if self.kind is SourceKind.FILE and self.fps:
            self._native_fps = self.fps  # play the file at a configured rate
        self._cap = cap

    def _hint(self) -> str:
        if self.kind is SourceKind.USB:
            device = self.target if isinstance(self.target, str) else f"/dev/video{self.target}"
            return f" (is {device} there and not used by another program?)"
        if self.kind is SourceKind.NETWORK:
            return " (address, credentials, network?)"
        return ""

    def _request_format(self, cap: Any) -> None:
        cv2 = _cv.cv2()
        if self.width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        if self.height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        if self.fps:
            cap.set(cv2.CAP_PROP_FPS, self.fps)

    def read(self) -> Image | None:
        if self._cap is None:
            raise SourceError(f"{self.description} is not open")
        ok, image = self._cap.read()
        if ok and image is not None:
            frame: Image = image
            return frame
        if self.live:
            raise SourceError(f"no frame from {self.description} (unplugged or stream down?)")
        if not self.loop:
            return None
        return self._rewind()

    def _rewind(self) -> Image:
        cv2 = _cv.cv2()
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        ok, image = self._cap.read()
        if ok and image is not None:
            frame: Image = image
            return frame
        # Some containers cannot seek: reopen from the start instead.
        self.close()
        self.open()
        ok, image = self._cap.read()
        if not ok or image is None:
            raise SourceError(f"cannot restart {self.description} from the beginning")
        restarted: Image = image
        return restarted

    def close(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            try:
                cap.release()
            except Exception:
                log.debug("release of %s failed", self.description, exc_info=True)
