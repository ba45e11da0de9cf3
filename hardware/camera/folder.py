"""A directory of images as a camera (demos, enrolment tests, a door without a camera)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from hardware.camera import _cv
from hardware.camera.base import FrameSource, Image, SourceError
from hardware.camera.enums import SourceKind

log = logging.getLogger(__name__)

IMAGE_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
DEFAULT_FOLDER_FPS: Final = 5.0


class ImageFolderSource(FrameSource):
    """Images in name order (recursively by default); unreadable files are skipped."""

    kind = SourceKind.FOLDER
    live = False

    def __init__(
        self,
        path: str | Path,
        *,
        fps: float = DEFAULT_FOLDER_FPS,
        loop: bool = False,
        recursive: bool = True,
    ) -> None:
        super().__init__(str(path))
        if fps <= 0:
            raise ValueError("folder fps must be positive")
        self.path = Path(path)
        self.fps = fps
        self.loop = loop
        self.recursive = recursive
        self._files: list[Path] = []
        self._next = 0
        self.skipped = 0

    @property
    def native_fps(self) -> float | None:
        return self.fps

    def open(self) -> None:
        if not self.path.is_dir():
            raise SourceError(f"no such image folder: {self.path}")
        pattern = self.path.rglob("*") if self.recursive else self.path.glob("*")
        self._files = sorted(p for p in pattern if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise SourceError(f"no images in {self.path}")
        self._next = 0

    def read(self) -> Image | None:
        if not self._files:
            raise SourceError(f"{self.description} is not open")
        cv2 = _cv.cv2()
        for _ in range(len(self._files)):
            if self._next >= len(self._files):
                if not self.loop:
                    return None
                self._next = 0
            path = self._files[self._next]
            self._next += 1
            image: Image | None = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                return image
            self.skipped += 1
            log.warning("skipping unreadable image %s", path)
        raise SourceError(f"no readable image left in {self.path}")

    def close(self) -> None:
        self._files = []
