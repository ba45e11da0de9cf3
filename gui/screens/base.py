"""What every screen offers the window: a name, its data, retranslate() and present().

A screen never reads the database: the navigation model (gui/navigation.py) loads what it
shows, once per navigation, and hands it over as `data`; a screen's own controls ask the
model (`ctx.nav`) for other data, which comes back through show_data().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt5.QtCore import pyqtBoundSignal
from PyQt5.QtWidgets import QVBoxLayout, QWidget

from gui.theme import Metrics
from gui.widgets.header import Header


class Screen(QWidget):
    name = "screen"

    def __init__(self, m: Metrics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = m
        self.data: Any = None  # what the navigation model loaded for this screen

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
        """Set every text from gui.i18n, and present the data in the language of now (called
        on show and on a language change)."""
        self.present()

    def show_data(self, data: Any) -> None:
        """New data from the navigation model while the screen is up: keep it, present it."""
        self.data = data
        self.present()

    def present(self) -> None:
        """Show `data` (no reads: it is what the model loaded)."""

    def entered(self) -> None:
        """The screen became the visible one."""

    def left(self) -> None:
        """Another screen became the visible one."""
