"""FakeCamera: synthetic frames from numpy alone (no OpenCV, no device)."""

from __future__ import annotations

from typing import Final

from hardware.camera.base import FrameSource, Image, SourceError
from hardware.camera.enums import SourceKind

DEFAULT_FAKE_WIDTH: Final = 640
DEFAULT_FAKE_HEIGHT: Final = 480
DEFAULT_FAKE_FPS: Final = 15.0
BOX_FRACTION: Final = 4  # the moving square is 1/4 of the frame height
BOX_STEP_PX: Final = 8
BACKGROUND_LEVEL: Final = 64
BOX_BGR: Final = (40, 200, 255)


class FakeCamera(FrameSource):
    """A gradient with a square moving across it; frames=N ends the stream after N."""

    kind = SourceKind.FAKE
    live = False

    def __init__(
        self,
        width: int = DEFAULT_FAKE_WIDTH,
        height: int = DEFAULT_FAKE_HEIGHT,
        fps: float = DEFAULT_FAKE_FPS,
        frames: int | None = None,
    ) -> None:
        super().__init__(f"fake {width}x{height}@{fps:g}")
        if width <= 0 or height <= 0 or fps <= 0:
            raise ValueError("fake camera size and fps must be positive")
        self.width = width
        self.height = height
        self.fps = fps
        self.frames = frames
        self._count = 0
        self._background: Image | None = None

    @property
    def native_fps(self) -> float | None:
        return self.fps

    def open(self) -> None:
        import numpy as np

        row = np.linspace(0, BACKGROUND_LEVEL, self.width, dtype=np.uint8)
        self._background = np.repeat(np.repeat(row[None, :, None], self.height, 0), 3, 2)
        self._count = 0

    def read(self) -> Image | None:
        if self._background is None:
            raise SourceError("fake camera is not open")
        if self.frames is not None and self._count >= self.frames:
            return None
        image = self._background.copy()
        side = max(1, self.height // BOX_FRACTION)
        x = (self._count * BOX_STEP_PX) % max(1, self.width - side)
        y = (self.height - side) // 2
        image[y : y + side, x : x + side] = BOX_BGR
        self._count += 1
        return image

    def close(self) -> None:
        self._background = None
