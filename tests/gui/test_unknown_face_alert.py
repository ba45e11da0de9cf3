"""A person removed at the screen is a stranger to the door: an alert with a snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from device.events import AlertKind
from tests.support.gui import MakeGui, login, open_tile, row, shoot, tap, wait_until

LIN = "lin_manuel_miranda"


@pytest.mark.slow
def test_removed_person_is_not_recognised_and_raises_an_alert(
        qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path, screenshot_dir: Path) -> None:
    gui = make_gui(enrolled_db)
    window = gui.window
    terminal = gui.door.terminal
    login(qtbot, gui)
    open_tile(qtbot, gui, "people")
    people = window.people
    assert people.list.count() == 6
    assert not people.keyboard.isVisible()
    tap(qtbot, people.search)
    assert people.keyboard.isVisible()  # a tap on the search field brings up the keyboard
    for key in "lin":
        tap(qtbot, people.keyboard.keys[key])
    assert people.list.count() == 1
    people.list.setCurrentRow(0)
    tap(qtbot, people.header.action)
    assert people.confirm_bar.isVisible()
    shoot(gui, screenshot_dir, "flow-people-remove-confirm")
    tap(qtbot, people.confirm_yes)
    assert LIN not in {p.person_id for p in terminal.people()}
    people.search.clear()
    assert people.list.count() == 5
    tap(qtbot, people.header.back)
    tap(qtbot, window.admin.header.back)

    gui.door.service.set_awake(True)
    wait_until(qtbot, lambda: window.current is window.result, 40)
    assert window.result.shot_name() == "result-not_recognised"
    assert window.result.name_label.text() == "未识别"
    # the alert's snapshot, decrypted off the GUI thread
    wait_until(qtbot, lambda: window.result.photo.pixmap() is not None, 2)
    shoot(gui, screenshot_dir, "flow-result-not-recognised")
    gui.door.service.set_awake(False)
    wait_until(qtbot, lambda: window.current is window.standby, 5)

    login(qtbot, gui)
    assert window.admin.tiles["alerts"].text() == "报警（1）"
    open_tile(qtbot, gui, "alerts")
    alerts = window.alerts
    (alert,) = terminal.alerts(only_open=True)
    assert alert.kind == AlertKind.UNKNOWN_FACE
    assert alerts.selected_id() == alert.alert_id
    wait_until(qtbot, lambda: alerts.snapshot.pixmap() is not None, 2)  # decrypted off
    assert row(alerts.list, 0).icon().isNull() is False  # the GUI thread, then shown
    shoot(gui, screenshot_dir, "flow-alerts")
    tap(qtbot, alerts.handle)
    assert terminal.alerts(only_open=True) == []
    assert row(alerts.list, 0).text() == "没有报警"
    tap(qtbot, alerts.show_all)
    assert "已处理" in row(alerts.list, 0).text()
