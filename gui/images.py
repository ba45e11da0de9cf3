"""numpy frames and JPEG bytes to Qt images (copies: the frame may be reused)."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QImage, QPixmap


def bgr_to_qimage(bgr: np.ndarray) -> QImage:
    height, width = bgr.shape[:2]
    data = np.ascontiguousarray(bgr)
    # PyQt5 takes any buffer; its stubs list only bytes and sip.voidptr.
    image = QImage(data.data, width, height, data.strides[0],  # type: ignore[call-overload]
                   QImage.Format_BGR888)
    return image.copy()


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    height, width = rgb.shape[:2]
    data = np.ascontiguousarray(rgb)
    # PyQt5 takes any buffer; its stubs list only bytes and sip.voidptr.
    image = QImage(data.data, width, height, data.strides[0],  # type: ignore[call-overload]
                   QImage.Format_RGB888)
    return image.copy()


def jpeg_pixmap(data: bytes | None, side: int) -> QPixmap | None:
    """A JPEG (face crop, alert snapshot) scaled to fit a side x side square."""
    if not data:
        return None
    image = QImage.fromData(data)
    if image.isNull():
        return None
    return QPixmap.fromImage(image.scaled(side, side, Qt.KeepAspectRatio,
                                          Qt.SmoothTransformation))
