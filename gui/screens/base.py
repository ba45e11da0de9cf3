"""What every screen offers the window: a name, retranslate() and refresh()."""

from __future__ import annotations

from collections.abc import Callable

from PyQt5.QtCore import pyqtBoundSignal
from PyQt5.QtWidgets import QVBoxLayout, QWidget

from gui.theme import Metrics
from gui.widgets.header import Header


class Screen(QWidget):
    name = "screen"

    def __init__(self, m: Metrics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = m

    def column_with_header(self, on_back: Callable[[], object] | pyqtBoundSignal,
                           spacing: int = 0) -> QVBoxLayout:
        """The admin screens' frame: a header whose back button calls `on_back`, then a column."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing)
        self.header = Header(self.m)
        self.header.back.clicked.connect(on_back)
        layout.addWidget(self.header)
        return layout

    def shot_name(self) -> str:
        """File name stem for a screenshot of the screen in its current state."""
        return self.name

    def retranslate(self) -> None:
        """Set every text from gui.i18n (called on show and on a language change)."""

    def refresh(self) -> None:
        """Re-read what the screen shows (called on show and when the log changed)."""

    def refresh_if_visible(self, _head: object = None) -> None:
        """refresh() if the screen is shown (a slot for the watcher's `changed`)."""
        if self.isVisible():
            self.refresh()

    def entered(self) -> None:
        """The screen became the visible one."""

    def left(self) -> None:
        """Another screen became the visible one."""
