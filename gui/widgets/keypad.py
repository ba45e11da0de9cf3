"""A numeric keypad for PINs: 1-9, delete, 0, OK, big enough for a thumb."""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import QGridLayout, QPushButton, QWidget

from gui.theme import Metrics
from gui.widgets.common import button

DELETE, ENTER = "⌫", "OK"


class Keypad(QWidget):
    digit = pyqtSignal(str)
    delete = pyqtSignal()
    enter = pyqtSignal()

    def __init__(self, m: Metrics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(m.gap)
        self.keys: dict[str, QPushButton] = {}
        for i, text in enumerate([*"123456789", DELETE, "0", ENTER]):
            key = button(text, role="pinkey", tone="ok" if text == ENTER else None)
            key.setMinimumHeight(m.px(54))
            key.clicked.connect(lambda _=False, k=text: self._pressed(k))
            grid.addWidget(key, i // 3, i % 3)
            self.keys[text] = key

    def _pressed(self, key: str) -> None:
        if key == DELETE:
            self.delete.emit()
        elif key == ENTER:
            self.enter.emit()
        else:
            self.digit.emit(key)
