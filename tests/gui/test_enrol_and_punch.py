"""End to end: enrol at the camera through the admin screens, get recognised, see the punch."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from device.events import PunchStatus
from device.terminal import EnrolResult
from gui.enrol_session import Hint
from gui.screens.enrol import Stage
from tests.support.gui import MakeGui, login, open_tile, shoot, tap, type_with_ime, wait_until

NAME = "林-曼努尔·米兰达"


@pytest.mark.slow
def test_enrol_at_the_camera_then_recognised_and_punched(
        qtbot: QtBot, make_gui: MakeGui, db_path: Path, screenshot_dir: Path) -> None:
    gui = make_gui(db_path)
    window = gui.window
    assert window.current is window.standby
    login(qtbot, gui)
    assert gui.door.held  # no recognition while the administrator is at the screen

    open_tile(qtbot, gui, "enrol")
    enrol = window.enrol
    tap(qtbot, enrol.header.action)  # no id, no name: refused before the camera starts
    assert enrol.stage is Stage.FORM and enrol.form_message.text()
    enrol.staff_id.setFocus()
    for key in "e100":
        tap(qtbot, enrol.keyboard.keys[key])
    type_with_ime(enrol.person_name, NAME)  # a USB keyboard and the system's pinyin IME
    assert enrol.staff_id.text() == "e100"
    shoot(gui, screenshot_dir, "flow-enrol-form")

    tap(qtbot, enrol.header.action)
    assert enrol.stage is Stage.CAMERA
    hints: list[Hint] = []
    enrol.worker.on_guidance = lambda g, seen=hints, show=enrol.on_guidance: (
        seen.append(g.hint), show(g))
    wait_until(qtbot, lambda: enrol.guidance is not None and enrol.video.overlays, 20)
    shoot(gui, screenshot_dir, "flow-enrol-camera")
    wait_until(qtbot, lambda: enrol.stage is Stage.DONE, 60)
    assert isinstance(enrol.outcome, EnrolResult), enrol.outcome
    per_photo = 2 if gui.door.terminal.engine.mirror_samples else 1  # dlib: + mirror
    assert enrol.outcome.samples_added == 3 * per_photo  # three photos
    assert Hint.CAPTURED in hints
    assert NAME in enrol.done_message.text()
    shoot(gui, screenshot_dir, "flow-enrol-done")
    assert [(p.person_id, p.name) for p in gui.door.terminal.people()] == [("e100", NAME)]

    tap(qtbot, enrol.finish)
    tap(qtbot, window.admin.header.back)  # log out: the door works again
    assert not gui.door.held and window.current is window.standby

    gui.door.service.set_awake(True)  # the TOF sensor sees someone
    wait_until(qtbot, lambda: window.current is window.live, 5)
    wait_until(qtbot, lambda: window.current is window.result, 40)
    assert window.result.name_label.text() == NAME
    assert window.result.outcome.text().startswith("签到成功")  # the default language is zh
    # the enrolled face crop, decrypted off the GUI thread
    wait_until(qtbot, lambda: window.result.photo.pixmap() is not None, 2)
    shoot(gui, screenshot_dir, "flow-result-checked-in")
    wait_until(qtbot, lambda: window.current is window.live, 5)  # back by itself

    (punch,) = gui.door.terminal.punches()
    assert (punch.person_id, punch.status) == ("e100", PunchStatus.CHECK_IN)
    gui.door.service.set_awake(False)
    wait_until(qtbot, lambda: window.current is window.standby, 5)

    login(qtbot, gui)
    open_tile(qtbot, gui, "punches")
    table = window.punches.table
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in (1, 2, 3)] == ["e100", NAME, "签到"]
    tap(qtbot, window.punches.previous)  # yesterday: nothing
    assert table.rowCount() == 0 and window.punches.next.isEnabled()
    tap(qtbot, window.punches.next)  # back to today
    assert table.rowCount() == 1
    tap(qtbot, window.punches.all)
    assert table.rowCount() == 1
    shoot(gui, screenshot_dir, "flow-punches")
