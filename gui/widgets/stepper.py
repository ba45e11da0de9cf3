"""A setting changed with - and + buttons (no typing on a touchscreen)."""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QPushButton, QWidget

from gui.theme import Metrics
from gui.widgets.common import button, label


class Stepper(QWidget):
    changed = pyqtSignal(float)

    def __init__(self, m: Metrics, minimum: float, maximum: float, step: float,
                 decimals: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minimum, self.maximum, self.step, self.decimals = minimum, maximum, step, decimals
        self._value = minimum
        self.unit = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(m.px(4))
        self.title = label("")
        self.minus: QPushButton = button("−")
        self.plus: QPushButton = button("+")
        for b in (self.minus, self.plus):
            b.setFixedWidth(m.touch + m.px(4))
            b.setAutoRepeat(True)
        self.display = label("", role="title", align=Qt.AlignCenter)
        self.display.setMinimumWidth(m.px(92))
        self.minus.clicked.connect(lambda: self.set_value(self._value - self.step, emit=True))
        self.plus.clicked.connect(lambda: self.set_value(self._value + self.step, emit=True))
        layout.addWidget(self.title, 1)
        layout.addWidget(self.minus)
        layout.addWidget(self.display)
        layout.addWidget(self.plus)

    def value(self) -> float:
        return self._value

    def set_value(self, value: float, emit: bool = False) -> None:
        value = round(min(self.maximum, max(self.minimum, value)), self.decimals)
        self._value = value
        self.display.setText(f"{value:.{self.decimals}f} {self.unit}".strip())
        if emit:
            self.changed.emit(value)

    def set_unit(self, unit: str) -> None:
        self.unit = unit
        self.set_value(self._value)
