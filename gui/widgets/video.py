"""The camera picture with face boxes drawn over it, scaled to fit (aspect kept)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PyQt5.QtCore import QRect, QRectF, Qt
from PyQt5.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PyQt5.QtWidgets import QSizePolicy, QWidget

from gui.images import bgr_to_qimage
from gui.theme import Metrics

Box = tuple[int, int, int, int]  # top, right, bottom, left (image pixels)


@dataclass(frozen=True)
class Overlay:
    box: Box
    label: str
    colour: str
    thick: bool = False  # the door candidate


class VideoView(QWidget):
    def __init__(self, m: Metrics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = m
        self.image: QImage | None = None
        self.image_size = (0, 0)  # width, height of the camera frame
        self.overlays: list[Overlay] = []
        self.frames_shown = 0  # camera frames painted (a repaint of the same frame not counted)
        self._serial = 0
        self._painted_serial = 0
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setAttribute(Qt.WA_OpaquePaintEvent)

    def set_frame(self, bgr: np.ndarray) -> None:
        self.image = bgr_to_qimage(bgr)
        self.image_size = (self.image.width(), self.image.height())
        self._serial += 1
        self.update()

    def set_overlays(self, overlays: list[Overlay]) -> None:
        self.overlays = overlays
        self.update()

    def clear(self) -> None:
        self.image, self.overlays = None, []
        self.update()

    def target(self) -> QRect:
        """Where the frame is drawn: centred, as large as fits."""
        if self.image is None:
            return self.rect()
        w, h = self.image_size
        scale = min(self.width() / w, self.height() / h)
        tw, th = round(w * scale), round(h * scale)
        return QRect((self.width() - tw) // 2, (self.height() - th) // 2, tw, th)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#000000"))
        if self.image is None:
            painter.end()
            return
        target = self.target()
        painter.setRenderHint(QPainter.SmoothPixmapTransform, False)
        painter.drawImage(target, self.image)
        scale = target.width() / self.image_size[0]
        font = QFont(painter.font())
        font.setPixelSize(self.m.small_px)
        painter.setFont(font)
        for o in self.overlays:
            top, right, bottom, left = o.box
            rect = QRectF(target.x() + left * scale, target.y() + top * scale,
                          (right - left) * scale, (bottom - top) * scale)
            painter.setPen(QPen(QColor(o.colour), self.m.px(3 if o.thick else 1)))
            painter.drawRect(rect)
            if o.label:
                metrics = painter.fontMetrics()
                text_w = metrics.horizontalAdvance(o.label) + self.m.px(8)
                text_h = metrics.height() + self.m.px(2)
                y = rect.top() - text_h if rect.top() - text_h >= target.y() else rect.bottom()
                x = min(rect.left(), target.x() + target.width() - text_w)  # stay in view
                tag = QRectF(max(target.x(), x), y, text_w, text_h)
                painter.fillRect(tag, QColor(o.colour))
                painter.setPen(QColor("#ffffff"))
                painter.drawText(tag, Qt.AlignCenter, o.label)
        painter.end()
        if self._painted_serial != self._serial:
            self._painted_serial = self._serial
            self.frames_shown += 1
