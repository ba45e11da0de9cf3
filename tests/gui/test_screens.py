"""Every screen in both languages at every supported size: saved as PNG, no clipped text.

The records shown come from the real core: a punch and an alert are recorded through
`device.attendance.Attendance`, exactly as the door loop records them.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from PyQt5.QtGui import QFontInfo
from PyQt5.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from device.attendance import Attendance, DoorDecision
from device.recognition.decision import Match, Verdict
from gui import i18n
from gui.app import GuiApp
from gui.screens.enrol import Stage
from tests.support.gui import MakeGui, clipped_texts, enter_pin, login, shoot, tap, wait_until

LIN = "lin_manuel_miranda"


def _records(gui: GuiApp, frame: Path) -> list[DoorDecision]:
    """A check-in, a repeat, and a stranger (with a snapshot), recorded by the core."""
    attendance = Attendance(gui.door.terminal.store)
    known = Match(Verdict.KNOWN, LIN, 0.41, None, None)
    bgr = cv2.imread(str(frame))
    assert bgr is not None, f"{frame}: not readable"
    snapshot = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)[60:200, 140:280]
    return [attendance.on_match(known), attendance.on_match(known),
            attendance.on_match(Match(Verdict.UNKNOWN, None, 0.71, None, None), snapshot)]


def _visit_all(qtbot: QtBot, gui: GuiApp, decisions: list[DoorDecision], out: Path,
               size: str) -> dict[str, list[str]]:
    """Show every screen; returns the clipped texts per screenshot."""
    window = gui.window
    problems: dict[str, list[str]] = {}

    def snap(stem: str) -> None:
        name = f"{size}-{stem}-{i18n.language()}"
        shoot(gui, out, name)
        problems[name] = clipped_texts(window)

    snap("standby")
    for decision in decisions:
        window.show_decision(decision)
        snap(window.result.shot_name())
    window._door_opened({"reason": "fleet command", "person_id": None})
    snap("result-door_opened")
    window._door_error("door relay failed: [Errno 5] Input/output error")
    snap("result-error")
    window.show_door_view()
    tap(qtbot, window.standby.admin)
    enter_pin(qtbot, gui, "999999")
    snap("pin-wrong")
    enter_pin(qtbot, gui, "123456")
    snap("admin")
    for name in ("people", "punches", "alerts", "settings", "info"):
        tap(qtbot, window.admin.tiles[name])
        snap(name)
        tap(qtbot, window.screens[name].header.back)
    tap(qtbot, window.admin.tiles["enrol"])
    window.enrol.staff_id.setText("E100")
    window.enrol.person_name.setText("张伟")
    snap("enrol-form")
    tap(qtbot, window.enrol.header.action)
    wait_until(qtbot, lambda: window.enrol.guidance is not None, 20)
    snap("enrol-camera")
    tap(qtbot, window.enrol.header.back)
    assert window.enrol.stage is Stage.FORM
    tap(qtbot, window.enrol.header.back)
    tap(qtbot, window.admin.header.back)
    return problems


def _switch_language(qtbot: QtBot, gui: GuiApp, language: str) -> None:
    login(qtbot, gui)
    tap(qtbot, gui.window.admin.tiles["settings"])
    settings = gui.window.settings
    tap(qtbot, settings.language_buttons[language])
    tap(qtbot, settings.header.action)
    assert gui.door.terminal.settings().language == language
    assert i18n.language() == language
    tap(qtbot, settings.header.back)
    tap(qtbot, gui.window.admin.header.back)


@pytest.mark.parametrize("size", ["480x320", "800x480", "1024x600"])
def test_every_screen_in_both_languages(qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path,
                                        lin_frames: Path, screenshot_dir: Path,
                                        size: str) -> None:
    gui = make_gui(enrolled_db, size=size)
    width, height = (int(v) for v in size.split("x"))
    assert (gui.window.width(), gui.window.height()) == (width, height)
    family = QFontInfo(QApplication.font()).family()
    assert "CJK" in family, f"no CJK font ({family}): install fonts-noto-cjk"
    decisions = _records(gui, sorted(lin_frames.iterdir())[10])
    problems = _visit_all(qtbot, gui, decisions, screenshot_dir, size)
    _switch_language(qtbot, gui, "en")
    problems.update(_visit_all(qtbot, gui, decisions, screenshot_dir, size))
    _switch_language(qtbot, gui, "zh")
    clipped = {shot: p for shot, p in problems.items() if p}
    assert not clipped, clipped


def test_live_screen_shows_boxes_names_and_distance(
        qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path, screenshot_dir: Path) -> None:
    gui = make_gui(enrolled_db, result_seconds=0.5, approach=True)
    window = gui.window
    wait_until(qtbot, lambda: window.current is window.live, 5)  # the TOF woke the door
    wait_until(qtbot, lambda: any(o.thick for o in window.live.video.overlays), 30)
    (candidate,) = [o for o in window.live.video.overlays if o.thick]
    assert candidate.label in ("Lin Manuel Miranda", "…")
    # The overlay can arrive before the first frame is painted (the detector is fast now).
    wait_until(qtbot, lambda: window.live.video.frames_shown > 0, 5)
    wait_until(qtbot, lambda: window.live.distance.text().endswith("米"), 2)
    assert 0.40 <= float(window.live.distance.text().split()[0]) <= 0.50  # 450 mm +- sway
    shoot(gui, screenshot_dir, "480x320-live-zh")
    assert not clipped_texts(window)
