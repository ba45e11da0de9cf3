"""What the GUI tests share: driving the touchscreen like a finger would, checking what it
shows, the fake PIN clock and the type of the `make_gui` fixture (tests/gui/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QInputMethodEvent
from PyQt5.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

from gui.app import GuiApp
from gui.screenshots import Screenshotter

VIDEO = "video/short_hamilton_clip.mp4"  # relative to the sample data folder
LIN_FRAMES = range(90, 216, 2)  # Lin-Manuel Miranda faces the camera in these frames


class FakeClock:
    """A clock that moves only when a test moves it (`now`)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class MakeGui(Protocol):
    def __call__(self, db: Path, size: str = "480x320", result_seconds: float = 1.5,
                 approach: bool = False) -> GuiApp: ...



def wait_until(qtbot: QtBot, condition: Callable[[], bool], timeout: float) -> float:
    """Process Qt events until condition() holds; returns the seconds it took."""
    start = time.monotonic()
    qtbot.waitUntil(lambda: bool(condition()), timeout=round(timeout * 1000))
    return time.monotonic() - start


def row(widget: QListWidget, index: int) -> QListWidgetItem:
    """The list's item at `index`; fails the test if there is none."""
    item = widget.item(index)
    assert item is not None, f"the list has no row {index}"
    return item


def tap(qtbot: QtBot, widget: QWidget) -> None:
    assert widget.isVisible(), f"{widget!r} is not on screen"
    assert widget.isEnabled(), f"{widget!r} is disabled"
    qtbot.mouseClick(widget, Qt.LeftButton)


def type_with_ime(widget: QWidget, text: str) -> None:
    """What an input method (pinyin) does: commit composed text to the focused field."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def enter_pin(qtbot: QtBot, gui: GuiApp, pin: str) -> None:
    keys = gui.window.pin.keypad.keys
    for digit in pin:
        tap(qtbot, keys[digit])
    tap(qtbot, keys["OK"])


def login(qtbot: QtBot, gui: GuiApp, pin: str = "123456") -> None:
    window = gui.window
    door_screen = window.live if window.current is window.live else window.standby
    tap(qtbot, door_screen.admin)
    assert window.current is window.pin
    enter_pin(qtbot, gui, pin)
    assert window.current is window.admin, window.pin.message.text()


def open_tile(qtbot: QtBot, gui: GuiApp, name: str) -> None:
    tap(qtbot, gui.window.admin.tiles[name])
    assert gui.window.current is gui.window.screens[name]


def shoot(gui: GuiApp, directory: Path, stem: str, images_within: float = 2.0) -> Path:
    """The window as a person sees it a moment later, as PNG: pending layout requests done
    and the sealed images asked for decrypted (up to `images_within` seconds)."""
    path = directory / f"{stem}.png"
    deadline = time.monotonic() + images_within
    QApplication.processEvents()
    while gui.ctx.images.busy and time.monotonic() < deadline:
        time.sleep(0.005)
        QApplication.processEvents()
    assert gui.window.grab().save(str(path))
    return path


def clipped_texts(root: QWidget) -> list[str]:
    """Visible labels and buttons whose text does not fit their width."""
    QApplication.processEvents()
    problems = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or widget.width() <= 1:
            continue
        if isinstance(widget, QLabel) and widget.text() and not widget.wordWrap() \
                and widget.pixmap() is None:
            room = widget.contentsRect().width() - 2 * widget.margin() - widget.indent() \
                if widget.indent() > 0 else widget.contentsRect().width()
            lines = widget.text().split("\n")
            used = max(widget.fontMetrics().horizontalAdvance(line) for line in lines)
            if used > room:
                problems.append(f"label {widget.text()!r}: {used} px in {room} px")
        elif isinstance(widget, QAbstractButton) and widget.text():
            used = widget.fontMetrics().horizontalAdvance(widget.text())
            if used > widget.width() - 4:
                problems.append(f"button {widget.text()!r}: {used} px in {widget.width()} px")
    return problems


def screenshotter(gui: GuiApp, directory: Path) -> Screenshotter:
    return Screenshotter(gui.window, directory)
