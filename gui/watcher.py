"""Notice changes made by other processes (the sync agent) to the shared SQLite file.

One QTimer polls the log heads (a rowid maximum and three index probes, well under a
millisecond); screens refresh only when something changed.
"""

from __future__ import annotations

import logging

from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from device.queries import LogHeads, log_heads
from device.terminal import Terminal

log = logging.getLogger("facegate.gui")

POLL_MS = 700


class LogWatcher(QObject):
    changed = pyqtSignal(int)  # something was appended: the new head position
    library_changed = pyqtSignal()  # a person was enrolled, changed or removed

    def __init__(self, terminal: Terminal, interval_ms: int = POLL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.heads = log_heads(terminal.database.engine)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        try:
            heads = log_heads(self.terminal.database.engine)
        except Exception:  # a locked or vanished file must not take the screen down
            log.exception("polling the log failed")
            return
        old, self.heads = self.heads, heads
        if heads == old:
            return
        if heads.library != old.library:
            self.library_changed.emit()
        self.changed.emit(heads.any)

    def poke(self) -> LogHeads:
        """Poll now (after this process wrote something): views update without waiting."""
        self.poll()
        return self.heads
