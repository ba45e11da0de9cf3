"""A font that renders Chinese: Noto Sans CJK SC if installed, else the next best.

On a fresh Debian/Ubuntu image: `sudo apt install fonts-noto-cjk`.
"""

from __future__ import annotations

import logging

from PyQt5.QtGui import QFont, QFontDatabase

log = logging.getLogger("facegate.gui")

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN")


def cjk_family() -> str | None:
    """The first installed family of CJK_FAMILIES, None if there is none."""
    installed = set(QFontDatabase().families())
    return next((f for f in CJK_FAMILIES if f in installed), None)


def ui_font(pixel_size: int) -> QFont:
    """The application font; Qt falls back along CJK_FAMILIES for missing glyphs."""
    family = cjk_family()
    if family is None:
        log.warning("no CJK font found (install fonts-noto-cjk): Chinese text will not render")
    font = QFont(family or "Sans Serif")
    font.setPixelSize(pixel_size)
    for fallback in CJK_FAMILIES:
        QFont.insertSubstitution(font.family(), fallback)
    return font
