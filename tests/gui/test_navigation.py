"""The navigation model (gui/navigation.py) without Qt: screens, back stack, admin session,
deadlines, door events, and one read per navigation."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from device.attendance import DoorDecision, Outcome
from device.messages import Notice
from device.recognition.decision import AccessReason
from gui.navigation import (
    ADMIN_SCREENS,
    Deadline,
    DecisionShown,
    DoorOpenedShown,
    FaultShown,
    Navigation,
    PinPurpose,
    ScreenName,
)
from gui.periods import Period, PunchFilter
from tests.support.gui import FakeClock
from tests.support.paths import REPO, python_env

S = ScreenName


@dataclass
class FakeReads:
    """gui.navigation.Reads that counts its calls and says what it was asked."""

    calls: Counter[str] = field(default_factory=Counter)
    asked: list[tuple[str, Any]] = field(default_factory=list)

    def _read(self, what: str, arg: Any = None) -> tuple[str, Any]:
        self.calls[what] += 1
        self.asked.append((what, arg))
        return what, arg

    def standby(self) -> Any:
        return self._read("standby")

    def open_alerts(self) -> Any:
        return self._read("open_alerts")

    def people(self, search: str) -> Any:
        return self._read("people", search)

    def punches(self, punch_filter: PunchFilter) -> Any:
        return self._read("punches", punch_filter)

    def alerts(self, only_open: bool) -> Any:
        return self._read("alerts", only_open)

    def settings(self) -> Any:
        return self._read("settings")

    def info(self) -> Any:
        return self._read("info")


@dataclass
class Door:
    awake: bool = False
    held: list[bool] = field(default_factory=list)


@dataclass
class Model:
    nav: Navigation
    reads: FakeReads
    clock: FakeClock
    door: Door
    shown: list[ScreenName]
    left: list[ScreenName]
    reloaded: list[ScreenName]


@pytest.fixture
def model() -> Model:
    reads, clock, door = FakeReads(), FakeClock(), Door()
    nav = Navigation(reads, is_awake=lambda: door.awake, clock=clock, wall_clock=lambda: 1e9,
                     result_seconds=4, admin_idle_seconds=120, pin_idle_seconds=30,
                     pin_changed_pause_seconds=1.2)
    shown: list[ScreenName] = []
    left: list[ScreenName] = []
    reloaded: list[ScreenName] = []
    nav.events.shown.connect(shown.append)
    nav.events.left.connect(left.append)
    nav.events.reloaded.connect(reloaded.append)
    nav.events.admin_changed.connect(door.held.append)
    nav.show_door_view()
    return Model(nav, reads, clock, door, shown, left, reloaded)


def _login(m: Model) -> None:
    m.nav.ask_pin()
    m.nav.unlock()


def _decision(outcome: Outcome = Outcome.CHECKED_IN) -> DoorDecision:
    return DoorDecision(outcome=outcome, person_id="p1", name="P One", distance=0.4,
                        time=1e9, open_door=True)


def test_each_navigation_reads_the_screen_s_data_once(model: Model) -> None:
    nav, reads = model.nav, model.reads
    assert nav.current is S.STANDBY and reads.calls == {"standby": 1}
    _login(model)
    expected = {S.ADMIN: "open_alerts", S.PEOPLE: "people", S.PUNCHES: "punches",
                S.ALERTS: "alerts", S.SETTINGS: "settings", S.INFO: "info"}
    for name, read in expected.items():
        before = Counter(reads.calls)
        nav.go(name)
        assert reads.calls - before == {read: 1}, name
        assert nav.data[name][0] == read  # what the screen is handed
        if name is not S.ADMIN:
            nav.back()
    before = Counter(reads.calls)
    nav.go(S.ENROL)  # shows no records: reads nothing
    assert reads.calls == before and nav.data[S.ENROL] is None


def test_screen_controls_reload_only_the_visible_screen(model: Model) -> None:
    nav, reads = model.nav, model.reads
    _login(model)
    nav.set_people_search("lin")  # not shown: remembered, not read
    assert reads.calls["people"] == 0
    nav.go(S.PEOPLE)
    assert reads.asked[-1] == ("people", "lin")
    nav.set_people_search("li")
    assert reads.asked[-1] == ("people", "li") and model.reloaded == [S.PEOPLE]
    nav.back()
    yesterday = PunchFilter(Period.DAY).shifted(-1, dt.date.today())
    nav.go(S.PUNCHES)
    nav.set_punch_filter(yesterday)
    assert reads.asked[-1] == ("punches", yesterday)
    nav.back()
    nav.go(S.ALERTS)
    assert reads.asked[-1] == ("alerts", True)
    nav.set_alerts_open_only(False)
    assert reads.asked[-1] == ("alerts", False) and nav.alerts_open_only is False


def test_a_log_change_reloads_only_screens_that_follow_the_log(model: Model) -> None:
    nav, reads = model.nav, model.reads
    nav.log_changed(7)
    assert reads.calls["standby"] == 2  # the sync line and the device name
    _login(model)
    nav.go(S.SETTINGS)
    nav.log_changed(8)  # would overwrite what the administrator is changing
    assert reads.calls["settings"] == 1
    nav.back()
    assert reads.calls["open_alerts"] == 2  # entering the menu again counts again
    nav.log_changed(9)  # but the menu counts the alerts on entering only
    assert reads.calls["open_alerts"] == 2
    nav.go(S.ALERTS)
    nav.log_changed(10)
    assert reads.calls["alerts"] == 2


def test_the_back_stack(model: Model) -> None:
    nav = model.nav
    _login(model)
    assert nav.current is S.ADMIN and nav.back_stack == []
    nav.go(S.SETTINGS)
    assert nav.back_stack == [S.ADMIN]
    nav.ask_new_pin()
    assert nav.current is S.PIN and nav.admin.pin_purpose is PinPurpose.CHANGE
    assert nav.back_stack == [S.ADMIN, S.SETTINGS]
    nav.pin_cancelled()  # back to the settings, not to the door
    assert nav.current is S.SETTINGS and nav.back_stack == [S.ADMIN]
    nav.back()
    assert nav.current is S.ADMIN and nav.back_stack == []
    for name in sorted(ADMIN_SCREENS):  # the gallery tour goes from screen to screen
        nav.go(name)
    assert len(nav.back_stack) == len(ADMIN_SCREENS)
    nav.go(S.ADMIN)  # a screen on the stack is returned to
    assert nav.current is S.ADMIN and nav.back_stack == []
    nav.back()  # nothing below the admin menu but itself while logged in
    assert nav.current is S.ADMIN
    assert model.left[-1] is S.SETTINGS  # the one the menu replaced


def test_pin_login_idle_and_logout(model: Model) -> None:
    nav, clock, door = model.nav, model.clock, model.door
    nav.ask_pin()
    assert nav.current is S.PIN and nav.admin.pin_purpose is PinPurpose.LOGIN
    assert nav.seconds_to_next_deadline() == 30
    clock.now += 20
    nav.touch()  # a key on the pad: the PIN pad waits again
    assert nav.seconds_to_next_deadline() == 30
    clock.now += 30
    nav.expire()
    assert nav.current is S.STANDBY and nav.deadlines == {}

    nav.ask_pin()
    nav.pin_cancelled()
    assert nav.current is S.STANDBY and nav.deadlines == {}
    nav.ask_pin()
    nav.unlock()
    assert nav.current is S.ADMIN and nav.admin.unlocked and door.held == [True]
    assert nav.seconds_to_next_deadline() == 120
    nav.go(S.PEOPLE)
    clock.now += 119.5
    nav.expire()  # a timer firing early changes nothing
    assert nav.current is S.PEOPLE
    clock.now += 0.5
    nav.expire()
    assert nav.current is S.STANDBY and not nav.admin.unlocked and door.held == [True, False]
    assert nav.back_stack == [] and nav.deadlines == {}

    door.awake = True
    _login(model)
    nav.logout()
    assert nav.current is S.LIVE and door.held == [True, False, True, False]


def test_a_changed_pin_returns_to_the_settings_after_a_pause(model: Model) -> None:
    nav, clock = model.nav, model.clock
    _login(model)
    nav.go(S.SETTINGS)
    nav.ask_new_pin()
    nav.pin_changed()
    assert nav.seconds_to_next_deadline() == pytest.approx(1.2)
    clock.now += 1.2
    nav.expire()
    assert nav.current is S.SETTINGS and Deadline.PIN_CHANGED not in nav.deadlines
    assert Deadline.IDLE in nav.deadlines  # the admin session goes on


def test_door_mode_follows_the_door(model: Model) -> None:
    nav, clock, door = model.nav, model.clock, model.door
    door.awake = True
    nav.awake_changed(True)
    assert nav.current is S.LIVE
    decision = _decision()
    nav.show_decision(decision)
    assert nav.current is S.RESULT and nav.data[S.RESULT] == DecisionShown(decision)
    nav.awake_changed(False)  # the result stays up for its time
    assert nav.current is S.RESULT
    door.awake = False
    clock.now += 4
    nav.expire()
    assert nav.current is S.STANDBY and nav.deadlines == {}

    nav.door_opened(AccessReason.RECOGNISED, "p1")  # the decision already says so
    assert nav.current is S.STANDBY
    nav.door_opened("fleet command", None)
    assert nav.data[S.RESULT] == DoorOpenedShown("fleet command", None, 1e9)
    nav.show_door_view()  # a tap on the result
    nav.door_error("could not decode the frame")  # not for the person at the door
    assert nav.current is S.STANDBY
    nav.door_error("door relay failed: [Errno 5] Input/output error")
    content = nav.data[S.RESULT]
    assert isinstance(content, FaultShown) and content.fault.code is Notice.RELAY_FAILED
    assert content.fault.values == {"error": "[Errno 5] Input/output error"}


def test_nothing_from_the_door_interrupts_the_pin_or_the_admin(model: Model) -> None:
    nav = model.nav
    nav.ask_pin()
    nav.show_decision(_decision())
    assert nav.current is S.PIN
    nav.unlock()
    nav.show_decision(_decision(Outcome.NOT_RECOGNISED))
    nav.door_opened("fleet command", None)
    nav.door_error("door relay failed: relay stuck")
    nav.show_door_view()
    assert nav.current is S.ADMIN and Deadline.RESULT not in nav.deadlines


def test_asking_for_the_pin_ends_the_result_early(model: Model) -> None:
    nav = model.nav
    nav.show_decision(_decision())
    assert Deadline.RESULT in nav.deadlines
    nav.ask_pin()
    assert nav.current is S.PIN and set(nav.deadlines) == {Deadline.IDLE}


def test_the_model_needs_neither_qt_nor_a_database() -> None:
    probe = ("import sys, gui.navigation; "
             "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('PyQt5', 'sqlalchemy', 'sqlite3') or m == 'gui.reads'); "
             "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=python_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
