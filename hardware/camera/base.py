"""The FrameSource interface every camera implements, and the Frame it hands out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Self

from hardware.camera.enums import SourceKind

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]
else:
    Image = object


class SourceError(Exception):
    """A source cannot deliver frames. retryable=False means retrying cannot help
    (e.g. OpenCV built without GStreamer); the capture thread then goes FAILED."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Frame:
    """A BGR image (H x W x 3, uint8; treat as read-only: it may be shared).

    t is time.monotonic() when it was read; seq counts frames read since the capture
    thread started, so a gap in seq between two frames you took = frames dropped.
    """

    image: Image
    t: float
    seq: int

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


class FrameSource(ABC):
    """Something that yields BGR frames. Construction does no I/O; open() does.

    live sources (cameras, streams) are read as fast as they deliver; the others (files,
    folders, fake) are paced by CaptureThread to native_fps so they behave like a camera.
    """

    kind: SourceKind
    live: bool = True

    def __init__(self, description: str) -> None:
        self.description = description

    @property
    def native_fps(self) -> float | None:
        """Frame rate the source reports (known after open), None if unknown."""
        return None

    @abstractmethod
    def open(self) -> None:
        """Open the device/file; raises SourceError with a one-line reason."""

    @abstractmethod
    def read(self) -> Image | None:
        """Next frame; None = end of stream (non-live sources only); raises SourceError."""

    @abstractmethod
    def close(self) -> None:
        """Release the device; safe to call when not open."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description}>"
