"""Assemble the touchscreen: Qt application, fonts, style, door, bridge, watcher, window."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PyQt5.QtWidgets import QApplication

from gui.admin_pin import PinGate
from gui.bridge import CallBridge, ServiceBridge
from gui.context import Context
from gui.door import GuiDoor
from gui.fonts import ui_font
from gui.names import NameBook
from gui.navigation import RESULT_SECONDS, Navigation
from gui.reads import ScreenReads
from gui.sealed_images import SealedImages
from gui.theme import Metrics, style_sheet
from gui.watcher import LogWatcher
from gui.window import MainWindow


def application(argv: list[str] | None = None) -> QApplication:
    """The running QApplication, or a new one."""
    app = QApplication.instance()
    if app is None:
        return QApplication(argv or ["facegate"])
    if not isinstance(app, QApplication):
        raise RuntimeError("a QCoreApplication is running: the touchscreen needs a QApplication")
    return app


def qt_application(m: Metrics, argv: list[str] | None = None) -> QApplication:
    app = application(argv)
    style(app, m)
    return app


def style(app: QApplication, m: Metrics) -> None:
    app.setFont(ui_font(m.font_px))
    app.setStyleSheet(style_sheet(m))


@dataclass
class GuiApp:
    door: GuiDoor
    ctx: Context
    window: MainWindow

    @classmethod
    def build(cls, door: GuiDoor, m: Metrics, result_seconds: float = RESULT_SECONDS,
              pin_clock: Callable[[], float] = time.monotonic) -> GuiApp:
        """Needs a QApplication; the door is not started yet (see start())."""
        service = door.service
        nav = Navigation(ScreenReads(door.terminal), is_awake=lambda: service.awake,
                         result_seconds=result_seconds)
        ctx = Context(door=door, m=m, bridge=ServiceBridge(service), calls=CallBridge(),
                      watcher=LogWatcher(door.terminal), names=NameBook(door.terminal),
                      pins=PinGate(door.terminal, clock=pin_clock), nav=nav,
                      images=SealedImages(door.terminal))
        return cls(door, ctx, MainWindow(ctx))

    def start(self, fullscreen: bool = False) -> None:
        self.door.start()
        self.ctx.watcher.start()
        if fullscreen:
            self.window.showFullScreen()
        else:
            self.window.show()

    def close(self) -> None:
        self.ctx.watcher.stop()
        self.window.close()
        self.ctx.images.close()
        self.ctx.bridge.close()
        self.door.close()
