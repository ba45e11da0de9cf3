"""Finger scrolling: drag a list or a scroll area like on a phone."""

from __future__ import annotations

from PyQt5.QtWidgets import QAbstractScrollArea, QScroller


def kinetic(area: QAbstractScrollArea) -> None:
    QScroller.grabGesture(area.viewport(), QScroller.LeftMouseButtonGesture)
