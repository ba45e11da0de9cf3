"""GET /api/v1/stream.mjpeg: the camera as MJPEG, for the admin page and any browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from werkzeug.wrappers import Response

from device.api.context import Call
from device.api.errors import Unavailable
from device.api.stream import BOUNDARY, mjpeg_parts
from device.errors import BadInput


class _Stream:
    """The parts, and the viewer slot given back on close (even if never iterated)."""

    def __init__(self, parts: Iterator[bytes], slot: threading.BoundedSemaphore) -> None:
        self._parts = parts
        self._slot: threading.BoundedSemaphore | None = slot

    def __iter__(self) -> Iterator[bytes]:
        return self._parts

    def close(self) -> None:
        close = getattr(self._parts, "close", None)
        if close is not None:
            close()
        if self._slot is not None:
            self._slot.release()
            self._slot = None


def stream(call: Call) -> Response:
    frames = call.app.frames
    if frames is None:
        raise Unavailable("no camera on this server: start it with a frame provider or "
                          "FACEGATE_VIDEO_SOURCE=video.mp4")
    limit = call.request.args.get("frames")
    try:
        max_frames = None if limit in (None, "") else int(limit)
    except ValueError as e:
        raise BadInput("frames: a whole number") from e
    if max_frames is not None and not 1 <= max_frames <= 100_000:
        raise BadInput("frames: 1-100000")
    slot = call.app.streams
    if not slot.acquire(blocking=False):
        raise Unavailable(f"{call.app.config.max_streams} live viewers already; try later")
    parts = mjpeg_parts(frames, call.app.config.stream_fps, call.app.stopping, max_frames)
    return Response(_Stream(parts, slot), direct_passthrough=True,
                    mimetype=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
