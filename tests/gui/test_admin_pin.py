"""The admin PIN: default PIN, wrong PINs, lockout after five, a new PIN stored hashed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from werkzeug.security import check_password_hash

from gui.admin_pin import DEFAULT_PIN, LOCKOUT_SECONDS, MAX_FAILURES
from tests.support.gui import FakeClock, MakeGui, enter_pin, login, open_tile, tap


def test_wrong_pin_then_right_pin_then_lockout(qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path,
                                               pin_clock: FakeClock) -> None:
    gui = make_gui(enrolled_db)
    window = gui.window
    tap(qtbot, window.standby.admin)
    assert window.current is window.pin
    enter_pin(qtbot, gui, "000000")
    assert window.current is window.pin
    assert window.pin.message.text() == "密码错误，还可尝试 4 次"
    assert not gui.door.held
    enter_pin(qtbot, gui, DEFAULT_PIN)
    assert window.current is window.admin and gui.door.held
    tap(qtbot, window.admin.header.back)
    assert window.current is window.standby and not gui.door.held

    tap(qtbot, window.standby.admin)
    for _ in range(MAX_FAILURES):
        enter_pin(qtbot, gui, "111111")
    assert "秒后再试" in window.pin.message.text()
    enter_pin(qtbot, gui, DEFAULT_PIN)  # even the right PIN waits out the lockout
    assert window.current is window.pin
    pin_clock.now += LOCKOUT_SECONDS - 1
    enter_pin(qtbot, gui, DEFAULT_PIN)
    assert window.current is window.pin
    pin_clock.now += 2
    enter_pin(qtbot, gui, DEFAULT_PIN)
    assert window.current is window.admin


def test_changing_the_pin(qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path) -> None:
    gui = make_gui(enrolled_db)
    window = gui.window
    login(qtbot, gui)
    open_tile(qtbot, gui, "settings")
    tap(qtbot, window.settings.pin_button)
    assert window.current is window.pin
    enter_pin(qtbot, gui, "12")  # too short
    assert window.pin.message.text() == "请输入 4-8 位数字"
    enter_pin(qtbot, gui, "2468")
    enter_pin(qtbot, gui, "2469")  # the confirmation differs: start again
    assert window.pin.message.text() == "两次输入的密码不一致"
    enter_pin(qtbot, gui, "2468")
    enter_pin(qtbot, gui, "2468")
    assert window.pin.message.text() == "密码已修改"
    stored = gui.door.terminal.settings().admin_pin_hash
    assert stored and "2468" not in stored and check_password_hash(stored, "2468")
    qtbot.waitUntil(lambda: window.current is window.settings, timeout=3000)
    tap(qtbot, window.settings.header.back)
    tap(qtbot, window.admin.header.back)

    tap(qtbot, window.standby.admin)
    enter_pin(qtbot, gui, DEFAULT_PIN)  # the default no longer opens
    assert window.current is window.pin
    enter_pin(qtbot, gui, "2468")
    assert window.current is window.admin


def test_admin_logs_out_by_itself_when_left_alone(qtbot: QtBot, make_gui: MakeGui,
                                                  enrolled_db: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import gui.navigation

    monkeypatch.setattr(gui.navigation, "ADMIN_IDLE_SECONDS", 0.6)
    app = make_gui(enrolled_db)
    login(qtbot, app)
    open_tile(qtbot, app, "people")
    assert app.door.held
    qtbot.waitUntil(lambda: app.window.current is app.window.standby, timeout=3000)
    assert not app.window.in_admin and not app.door.held  # the door works again
