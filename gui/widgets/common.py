"""Small constructors for labelled, styled widgets (role/tone properties pick the QSS)."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QLabel, QPushButton, QWidget


def label(text: str = "", role: str | None = None, tone: str | None = None,
          align: Qt.Alignment | Qt.AlignmentFlag | None = None, wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    if tone:
        widget.setProperty("tone", tone)
    if align is not None:
        widget.setAlignment(align)
    widget.setWordWrap(wrap)
    return widget


def button(text: str = "", role: str | None = None, tone: str | None = None,
           checkable: bool = False) -> QPushButton:
    widget = QPushButton(text)
    if role:
        widget.setProperty("role", role)
    if tone:
        widget.setProperty("tone", tone)
    widget.setCheckable(checkable)
    widget.setFocusPolicy(Qt.NoFocus)  # a tap must not steal the text field's focus
    return widget


def set_tone(widget: QWidget, tone: str | None) -> None:
    """Change a tone property and make the style sheet notice."""
    if widget.property("tone") == tone:
        return
    widget.setProperty("tone", tone)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
