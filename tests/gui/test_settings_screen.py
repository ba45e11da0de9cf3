"""The settings screen: ranges from the rule table, saves only what was changed on it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from device.settings_rules import RULES
from device.terminal import Terminal
from gui.screens.settings import STEPPERS, stepper_range
from tests.support.gui import MakeGui, login, open_tile, tap, wait_until


def test_the_steppers_offer_exactly_the_table_s_ranges(qtbot: QtBot, make_gui: MakeGui,
                                                       db_path: Path) -> None:
    gui = make_gui(db_path)
    screen = gui.window.settings
    assert set(screen.steppers) == set(STEPPERS)
    for key, stepper in screen.steppers.items():
        rule = RULES[key]
        low, high = stepper_range(rule)
        assert (stepper.minimum, stepper.maximum, stepper.step, stepper.decimals) == \
            (low, high, rule.step, rule.decimals)
        assert rule.check(low) == low and rule.check(high) == high  # the ends are allowed
    assert stepper_range(RULES["match_threshold"]) == (0.0, 1.99)  # [0, 2): 0 is "from the level"
    assert stepper_range(RULES["relay_pulse_seconds"]) == (0.1, 30.0)
    assert list(screen.language_buttons) == list(RULES["language"].choices)


def test_saving_keeps_values_set_elsewhere_that_the_screen_cannot_show(
        qtbot: QtBot, make_gui: MakeGui, db_path: Path) -> None:
    """Before: the old ranges (threshold 0.30-0.70, pulse 1-15 s, wake 300 mm up) clamped
    values set over HTTP, and Save wrote the clamped values back."""
    other = Terminal.open(db_path)
    other.change_settings(match_threshold=0.8, relay_pulse_seconds=0.2, wake_distance_mm=200,
                          debounce_seconds=5.5)
    gui = make_gui(db_path)
    login(qtbot, gui)
    open_tile(qtbot, gui, "settings")
    screen = gui.window.settings
    tap(qtbot, screen.language_buttons["en"])
    tap(qtbot, screen.header.action)
    s = other.settings()
    assert (s.match_threshold, s.relay_pulse_seconds, s.wake_distance_mm, s.debounce_seconds,
            s.language) == (0.8, 0.2, 200, 5.5, "en")
    other.close()


def test_a_changed_stepper_is_saved_typed(qtbot: QtBot, make_gui: MakeGui,
                                          db_path: Path) -> None:
    gui = make_gui(db_path)
    login(qtbot, gui)
    open_tile(qtbot, gui, "settings")
    screen = gui.window.settings
    tap(qtbot, screen.steppers["wake_distance_mm"].plus)
    tap(qtbot, screen.steppers["relay_pulse_seconds"].minus)
    assert screen.values() == {"wake_distance_mm": 1050, "relay_pulse_seconds": 2.5}
    tap(qtbot, screen.header.action)
    s = gui.door.terminal.settings()
    assert (s.wake_distance_mm, s.relay_pulse_seconds) == (1050, 2.5)
    assert type(s.wake_distance_mm) is int


def test_the_wake_distance_follows_the_screen_and_other_processes(
        qtbot: QtBot, make_gui: MakeGui, db_path: Path) -> None:
    gui = make_gui(db_path, approach=True)
    wake = gui.door.wake
    assert gui.door.service.wake is wake
    assert wake is not None
    login(qtbot, gui)
    open_tile(qtbot, gui, "settings")
    tap(qtbot, gui.window.settings.steppers["wake_distance_mm"].minus)
    tap(qtbot, gui.window.settings.header.action)
    assert wake.wake_distance_mm == 950  # at once, on Save
    other = Terminal.open(db_path)
    other.change_settings(wake_distance_mm="1700")  # the CLI's text
    wait_until(qtbot, lambda: wake.wake_distance_mm == 1700, 3)
    other.close()
