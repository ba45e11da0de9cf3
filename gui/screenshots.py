"""Save a PNG of every screen (and screen state) the window shows, once per language."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PyQt5.QtCore import QObject, QTimer

from gui import i18n
from gui.window import MainWindow

log = logging.getLogger("facegate.gui")

POLL_MS = 100
SETTLE_SECONDS = 0.4  # the screen must look the same this long (fonts, first camera frame)
READY_TIMEOUT_SECONDS = 6.0  # a screen waiting for a camera frame is shot anyway after this


class Screenshotter(QObject):
    def __init__(self, window: MainWindow, directory: str | Path) -> None:
        super().__init__(window)
        self.window = window
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.saved: dict[str, Path] = {}  # key -> file
        self._candidate: str | None = None
        self._since = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def key(self) -> str | None:
        screen = self.window.current
        return None if screen is None else f"{screen.shot_name()}-{i18n.language()}"

    def poll(self) -> None:
        key = self.key()
        now = time.monotonic()
        if key != self._candidate:
            self._candidate, self._since = key, now
            return
        if key is None or key in self.saved or now - self._since < SETTLE_SECONDS:
            return
        screen = self.window.current
        ready = screen is not None and getattr(screen, "ready_for_shot", lambda: True)() \
            and not self.window.ctx.images.busy  # snapshots and crops decrypted
        if ready or now - self._since > READY_TIMEOUT_SECONDS:
            self.save(key)

    def save(self, key: str) -> Path:
        path = self.directory / f"{key}.png"
        image = self.window.grab()
        if not image.save(str(path)):
            log.error("could not write %s", path)
        self.saved[key] = path
        log.info("screenshot %s", path)
        alias = self.directory / f"result-{i18n.language()}.png"  # whichever came first
        if key.startswith("result-") and not alias.exists():
            image.save(str(alias))
        return path
