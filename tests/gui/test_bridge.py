"""Door-thread events reach the GUI thread only through Qt signals; frames are coalesced."""

from __future__ import annotations

import threading
from pathlib import Path

from PyQt5.QtCore import QThread
from PyQt5.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from device.door_service import DoorService
from device.terminal import Terminal
from gui.bridge import ServiceBridge
from tests.support.gui import wait_until


def test_listeners_on_another_thread_arrive_on_the_gui_thread(qtbot: QtBot, db_path: Path) -> None:
    QApplication.instance() or QApplication([])
    terminal = Terminal.open(db_path)
    # frames=None: no camera; the door thread below emits the frames itself.
    service = DoorService(terminal, frames=None, awake=False)  # type: ignore[arg-type]
    bridge = ServiceBridge(service)
    seen: list[tuple[object, bool]] = []
    frames: list[object] = []
    gui_thread = QThread.currentThread()
    bridge.awake.connect(lambda v: seen.append((v, QThread.currentThread() is gui_thread)))
    bridge.frame.connect(frames.append)

    def door_thread() -> None:
        service.set_awake(True)
        for i in range(50):  # the GUI is not looking: only the newest frame is delivered
            service._emit("frame", i)

    worker = threading.Thread(target=door_thread)
    worker.start()
    worker.join()
    assert seen == [] and frames == []  # nothing runs on the door thread itself
    wait_until(qtbot, lambda: bool(seen and frames), 2)
    assert seen == [(True, True)]
    assert frames == [49]
    bridge.close()
    assert service._listeners["frame"] == []
    terminal.close()
