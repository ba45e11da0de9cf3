"""What every screen offers the window: a name, retranslate() and refresh()."""

from __future__ import annotations

from PyQt5.QtWidgets import QWidget

from gui.theme import Metrics


class Screen(QWidget):
    name = "screen"

    def __init__(self, m: Metrics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = m

    def shot_name(self) -> str:
        """File name stem for a screenshot of the screen in its current state."""
        return self.name

    def retranslate(self) -> None:
        """Set every text from gui.i18n (called on show and on a language change)."""

    def refresh(self) -> None:
        """Re-read what the screen shows (called on show and when the log changed)."""

    def entered(self) -> None:
        """The screen became the visible one."""

    def left(self) -> None:
        """Another screen became the visible one."""
