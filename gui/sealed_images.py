"""Sealed JPEGs (alert snapshots, enrolled face crops) decrypted off the GUI thread.

Reading a sealed image means a database read and an AES-GCM decryption; neither may run on
the GUI thread. A screen asks `get(key)`: a JPEG already decrypted comes back at once,
otherwise the screen shows a placeholder and the image is fetched on a worker thread
(a QThreadPool of one: the door has two cores), after which `ready(key)` is emitted on the
GUI thread. A fetch that fails (no such alert, a destroyed key, a broken ciphertext, a
locked file) yields None, which the screens show as "no picture"; it never raises.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PyQt5.QtCore import QObject, QRunnable, QThreadPool, pyqtSignal

from device.errors import NotFound
from device.terminal import Terminal

log = logging.getLogger("facegate.gui")

CLOSE_WAIT_MS = 2000
MAX_CACHED = 400  # two pages of alert thumbnails and a few face crops (JPEGs of a few kB)


class ImageKind(StrEnum):
    SNAPSHOT = "snapshot"  # an alert's snapshot, by alert id
    CROP = "crop"  # a person's first enrolled face crop, by person id


@dataclass(frozen=True)
class ImageKey:
    kind: ImageKind
    id: str


class _Fetch(QRunnable):
    def __init__(self, key: ImageKey, generation: int,
                 fetch: Callable[[ImageKey], bytes | None],
                 done: Callable[[ImageKey, bytes | None, int], None]) -> None:
        super().__init__()
        self.key, self.generation, self.fetch, self.done = key, generation, fetch, done

    def run(self) -> None:  # a worker thread
        try:
            data = self.fetch(self.key)
        except NotFound:
            data = None
        except Exception:  # the screen shows a placeholder rather than fail
            log.exception("reading the sealed image %s failed", self.key)
            data = None
        with contextlib.suppress(RuntimeError):  # the loader is gone (the window closed)
            self.done(self.key, data, self.generation)


class SealedImages(QObject):
    ready = pyqtSignal(object)  # ImageKey: get() now has its JPEG (or None)
    _fetched = pyqtSignal(object, object, int)  # key, JPEG or None, generation (a worker)

    def __init__(self, terminal: Terminal, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._cache: dict[ImageKey, bytes | None] = {}
        self._pending: set[ImageKey] = set()
        # forget() moves a kind's generation on: what was fetched before is not kept
        self._generation = dict.fromkeys(ImageKind, 0)
        self._fetched.connect(self._store)  # queued: the worker emits, the GUI thread stores

    def get(self, key: ImageKey, urgent: bool = False) -> tuple[bool, bytes | None]:
        """(True, JPEG or None) if known; else (False, None) and it is being fetched.
        `urgent`: ahead of the thumbnails already waiting (the image shown large)."""
        if key in self._cache:
            return True, self._cache[key]
        if key not in self._pending:
            self._pending.add(key)
            fetch = _Fetch(key, self._generation[key.kind], self._read, self._fetched.emit)
            self.pool.start(fetch, 1 if urgent else 0)
        return False, None

    @property
    def busy(self) -> bool:
        """Images asked for are still being decrypted."""
        return bool(self._pending)

    def forget(self, kind: ImageKind) -> None:
        """The images of this kind may have changed (the library changed): fetch anew."""
        for key in [k for k in self._cache if k.kind is kind]:
            del self._cache[key]
        self._pending = {k for k in self._pending if k.kind is not kind}
        self._generation[kind] += 1

    def close(self) -> None:
        self.pool.clear()
        self.pool.waitForDone(CLOSE_WAIT_MS)

    def _read(self, key: ImageKey) -> bytes | None:  # a worker thread
        if key.kind is ImageKind.SNAPSHOT:
            return self.terminal.alert_snapshot(key.id)
        crops = self.terminal.face_crops(key.id)
        return crops[0] if crops else None

    def _store(self, key: ImageKey, data: bytes | None, generation: int) -> None:  # GUI
        if generation != self._generation[key.kind]:  # read before forget(): ask again
            self.ready.emit(key)
            return
        self._pending.discard(key)
        self._cache[key] = data
        while len(self._cache) > MAX_CACHED:
            del self._cache[next(iter(self._cache))]
        self.ready.emit(key)
