"""The bar on top of every admin screen: back, title, one optional action on the right."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QHBoxLayout, QPushButton, QWidget

from gui.theme import Metrics
from gui.widgets.common import button, label


class Header(QWidget):
    def __init__(self, m: Metrics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "header")
        self.setAttribute(Qt.WA_StyledBackground)  # paint the role's background
        self.setFixedHeight(m.header)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(m.px(4), m.px(2), m.px(4), m.px(2))
        layout.setSpacing(m.gap)
        self.back: QPushButton = button("", role="bar")
        self.back.setMinimumWidth(m.px(76))
        self.title = label("", role="title")
        self.action: QPushButton = button("", role="bar")
        self.action.setMinimumWidth(m.px(76))
        self.action.hide()
        layout.addWidget(self.back)
        layout.addWidget(self.title, 1)
        layout.addWidget(self.action)
