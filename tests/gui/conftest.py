"""GUI tests: offscreen Qt, the real door service on frames of the sample video.

Fixtures only; what the tests import (helpers, the fake clock, the fixtures' types) is in
tests/support/gui.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest
from pytestqt.qtbot import QtBot

from gui.app import GuiApp
from tests.support.gui import LIN_FRAMES, VIDEO, FakeClock, MakeGui

# No display needed; set before pytest-qt's qapp fixture creates the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def lin_frames(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Frames of the sample video with Lin-Manuel Miranda, as a folder (a camera source)."""
    folder = tmp_path_factory.mktemp("lin_frames")
    capture = cv2.VideoCapture(str(data_dir / VIDEO))
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok or index > LIN_FRAMES.stop:
            break
        if index in LIN_FRAMES:
            cv2.imwrite(str(folder / f"frame_{index:04d}.jpg"), frame)
        index += 1
    capture.release()
    assert len(list(folder.iterdir())) == len(LIN_FRAMES)
    return folder


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every screen the tests show, as PNG (the path is printed with -s)."""
    path = tmp_path_factory.mktemp("gui_screens")
    print(f"\nGUI screenshots: {path}")
    return path


@pytest.fixture
def pin_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_gui(qtbot: QtBot, lin_frames: Path, pin_clock: FakeClock) -> Iterator[MakeGui]:
    """Build and start the touchscreen on a database; the camera shows Lin's frames.

    The door starts asleep (nobody at the door); tests wake it with
    `gui.door.service.set_awake(True)`, as the TOF wake detector does.
    """
    from device.door_service import DoorService
    from device.terminal import Terminal
    from gui.app import qt_application
    from gui.door import GuiDoor
    from gui.theme import parse_size
    from hardware.camera.capture import CaptureThread
    from hardware.camera.folder import ImageFolderSource
    from hardware.relay.fake import FakeRelay
    from hardware.tof.simulated import ApproachProfile, SimulatedTof
    from hardware.tof.wake import WakeDetector, WakeState

    started: list[GuiApp] = []

    def make(db: Path, size: str = "480x320", result_seconds: float = 1.5,
             approach: bool = False) -> GuiApp:
        metrics = parse_size(size)
        qt_application(metrics)
        terminal = Terminal.open(db)
        camera = CaptureThread(ImageFolderSource(lin_frames, fps=15, loop=True))
        service = DoorService(terminal, camera, FakeRelay(), awake=False)
        tof = wake = None
        if approach:  # someone walks up at once and stays: wired as device/runtime.py does
            tof = SimulatedTof(ApproachProfile(period_s=60, offset_s=0.2, approach_s=0.5,
                                               dwell_s=55, leave_s=1))
            wake = WakeDetector(1000, 3, 10)
            tof.add_reading_listener(wake.update)
            wake.add_listener(lambda e: service.set_awake(e.state is WakeState.AWAKE))
            tof.start()
        door = GuiDoor.around(terminal, service, camera, tof=tof, wake=wake)
        gui = GuiApp.build(door, metrics, result_seconds=result_seconds, pin_clock=pin_clock)
        qtbot.addWidget(gui.window)
        gui.start()
        started.append(gui)
        return gui

    yield make
    for gui in started:
        gui.close()
        if gui.door.tof is not None:
            gui.door.tof.close()
