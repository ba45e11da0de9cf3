"""Sizes and the style sheet: one layout scaled for 480x320, 800x480 and 1024x600 screens."""

from __future__ import annotations

from dataclasses import dataclass

BASE_WIDTH, BASE_HEIGHT = 480, 320
SIZES = ((480, 320), (800, 480), (1024, 600))

OK_COLOUR = "#2e9d57"
WARN_COLOUR = "#d99a1e"
BAD_COLOUR = "#c8433a"
INFO_COLOUR = "#2f7fc1"
BACKGROUND = "#12161b"
PANEL = "#1d242c"
TEXT = "#eef2f5"
MUTED = "#9aa7b3"


@dataclass(frozen=True)
class Metrics:
    width: int = BASE_WIDTH
    height: int = BASE_HEIGHT

    @property
    def scale(self) -> float:
        return min(self.width / BASE_WIDTH, self.height / BASE_HEIGHT)

    def px(self, base: float) -> int:
        """A length designed for 480x320, on this screen."""
        return max(1, round(base * self.scale))

    @property
    def font_px(self) -> int:
        return self.px(14)

    @property
    def small_px(self) -> int:
        return self.px(12)

    @property
    def title_px(self) -> int:
        return self.px(18)

    @property
    def big_px(self) -> int:
        return self.px(26)

    @property
    def clock_px(self) -> int:
        return self.px(64)

    @property
    def touch(self) -> int:
        """Minimum height of anything a finger must hit (about 6-7 mm on a 3.5" panel)."""
        return self.px(40)

    @property
    def header(self) -> int:
        return self.px(38)

    @property
    def gap(self) -> int:
        return self.px(6)


def parse_size(text: str) -> Metrics:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError as e:
        raise ValueError(f"size {text!r}: use WIDTHxHEIGHT, e.g. 480x320") from e
    if width < 320 or height < 240:
        raise ValueError(f"size {text!r}: at least 320x240")
    return Metrics(width, height)


def style_sheet(m: Metrics) -> str:
    return f"""
QWidget {{ background: {BACKGROUND}; color: {TEXT}; font-size: {m.font_px}px; }}
QLabel {{ background: transparent; }}
QLabel[role="title"] {{ font-size: {m.title_px}px; font-weight: bold; }}
QLabel[role="big"] {{ font-size: {m.big_px}px; font-weight: bold; }}
QLabel[role="clock"] {{ font-size: {m.clock_px}px; font-weight: bold; }}
QLabel[role="muted"] {{ color: {MUTED}; font-size: {m.small_px}px; }}
QLabel[role="hint"] {{ font-size: {m.title_px}px; font-weight: bold; }}
QLabel[tone="ok"] {{ color: {OK_COLOUR}; }}
QLabel[tone="warn"] {{ color: {WARN_COLOUR}; }}
QLabel[tone="bad"] {{ color: {BAD_COLOUR}; }}
QLabel[tone="info"] {{ color: {INFO_COLOUR}; }}
QWidget[role="header"] {{ background: {PANEL}; }}
QWidget[role="panel"] {{ background: {PANEL}; border-radius: {m.px(6)}px; }}
QPushButton {{
    background: #2b3540; color: {TEXT}; border: none; border-radius: {m.px(6)}px;
    min-height: {m.touch}px; padding: 0 {m.px(8)}px;
}}
QPushButton:pressed {{ background: #44525f; }}
QPushButton:checked {{ background: {INFO_COLOUR}; }}
QPushButton:disabled {{ color: #66717c; background: #222a32; }}
QPushButton[tone="ok"] {{ background: {OK_COLOUR}; }}
QPushButton[tone="bad"] {{ background: {BAD_COLOUR}; }}
QPushButton[role="bar"] {{ min-height: {m.header - m.px(8)}px; padding: 0 {m.px(10)}px; }}
QPushButton[role="key"] {{ min-height: {m.px(34)}px; padding: 0; font-size: {m.px(15)}px; }}
QPushButton[role="pinkey"] {{ font-size: {m.px(22)}px; font-weight: bold; }}
QPushButton[role="tile"] {{ font-size: {m.px(16)}px; font-weight: bold; }}
QPushButton[role="flat"] {{ background: transparent; }}
QLineEdit {{
    background: #0b0e12; border: 1px solid #3a4653; border-radius: {m.px(4)}px;
    min-height: {m.px(32)}px; padding: 0 {m.px(6)}px;
}}
QLineEdit:focus {{ border: 1px solid {INFO_COLOUR}; }}
QListWidget, QTableWidget {{
    background: #0b0e12; border: none; alternate-background-color: #151b21;
}}
QListWidget::item {{ min-height: {m.px(34)}px; }}
QListWidget::item:selected, QTableWidget::item:selected {{ background: {INFO_COLOUR}; }}
QHeaderView::section {{ background: {PANEL}; color: {MUTED}; border: none;
    font-size: {m.small_px}px; padding: {m.px(2)}px; }}
QScrollBar:vertical {{ width: {m.px(14)}px; background: #0b0e12; }}
QScrollBar::handle:vertical {{ background: #3a4653; min-height: {m.px(30)}px;
    border-radius: {m.px(4)}px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; }}
"""
