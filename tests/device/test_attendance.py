"""Punch rules at the door: debounce, in/out status, strangers raise an alert."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from device.attendance import Attendance, Outcome
from device.recognition.decision import Match, Verdict
from device.terminal import Terminal

KNOWN = Match(Verdict.KNOWN, "joe_biden", 0.31, None, None)
STRANGER = Match(Verdict.UNKNOWN, None, 0.74, None, None)


def at(hour: int, minute: int = 0, day: int = 2) -> float:
    return dt.datetime(2026, 11, day, hour, minute).timestamp()


def test_toggle_mode_debounces_and_alternates_in_and_out(enrolled_terminal: Terminal) -> None:
    desk = Attendance(enrolled_terminal.store)
    outcomes = [desk.on_match(KNOWN, now=t).outcome for t in
                (at(8, 59), at(9, 0), at(12, 30), at(17, 45), at(9, 1, day=3))]
    assert outcomes == [Outcome.CHECKED_IN, Outcome.ALREADY_PUNCHED, Outcome.CHECKED_OUT,
                        Outcome.CHECKED_IN, Outcome.CHECKED_IN]
    punches = enrolled_terminal.punches()
    assert [p.status for p in punches] == ["in", "out", "in", "in"]
    assert all(p.name == "Joe Biden" for p in punches)


def test_schedule_mode_uses_the_cutover(enrolled_terminal: Terminal) -> None:
    enrolled_terminal.change_settings(punch_mode="schedule", schedule_cutover="12:00")
    desk = Attendance(enrolled_terminal.store)
    assert desk.on_match(KNOWN, now=at(8)).outcome is Outcome.CHECKED_IN
    assert desk.on_match(KNOWN, now=at(13)).outcome is Outcome.CHECKED_OUT


def test_debounce_window_is_a_setting(enrolled_terminal: Terminal) -> None:
    enrolled_terminal.change_settings(debounce_seconds=3600)
    desk = Attendance(enrolled_terminal.store)
    desk.on_match(KNOWN, now=at(8))
    assert desk.on_match(KNOWN, now=at(8, 59)).outcome is Outcome.ALREADY_PUNCHED
    assert desk.on_match(KNOWN, now=at(9, 1)).outcome is Outcome.CHECKED_OUT


def test_stranger_is_never_reported_as_a_person_and_raises_one_alert(
        enrolled_terminal: Terminal) -> None:
    desk = Attendance(enrolled_terminal.store)
    snapshot = np.full((64, 64, 3), 127, np.uint8)
    first = desk.on_match(STRANGER, snapshot, now=at(10))
    again = desk.on_match(STRANGER, snapshot, now=at(10) + 5)  # inside the alert interval
    later = desk.on_match(STRANGER, snapshot, now=at(10) + 60)
    assert first.outcome is Outcome.NOT_RECOGNISED and first.person_id is None
    assert not first.open_door
    assert first.alert_id and again.alert_id is None and later.alert_id
    alerts = enrolled_terminal.alerts()
    assert len(alerts) == 2 and all(a.kind == "unknown_face" for a in alerts)
    jpeg = enrolled_terminal.alert_snapshot(first.alert_id)
    assert jpeg is not None and jpeg[:2] == b"\xff\xd8"
    enrolled_terminal.handle_alert(first.alert_id)
    assert [a.alert_id for a in enrolled_terminal.alerts(only_open=True)] == [later.alert_id]
    assert enrolled_terminal.punches() == []


def test_ambiguous_match_is_not_a_person(enrolled_terminal: Terminal) -> None:
    ambiguous = Match(Verdict.AMBIGUOUS, None, 0.40, None, None)
    decision = Attendance(enrolled_terminal.store).on_match(ambiguous, now=at(10))
    assert decision.outcome is Outcome.NOT_RECOGNISED and not decision.open_door


def test_punches_csv_and_time_range(enrolled_terminal: Terminal) -> None:
    desk = Attendance(enrolled_terminal.store)
    for hour in (8, 13, 18):
        desk.on_match(KNOWN, now=at(hour))
    assert len(enrolled_terminal.punches(at(12), at(19))) == 2
    csv_text = enrolled_terminal.punches_csv(at(12), at(14))
    lines = csv_text.strip().splitlines()
    assert lines[0] == "time,person_id,name,status,distance,device,seq"
    assert lines[1].startswith("2026-11-02T13:00:00,joe_biden,Joe Biden,out,0.3100,door-t,")


@pytest.mark.parametrize("values, message", [
    ({"debounce_seconds": "nan"}, "not a finite number"),
    ({"match_margin": "inf"}, "not a finite number"),
    ({"relay_pulse_seconds": -1}, "must not be negative"),
    ({"schedule_cutover": "25:00"}, "is not a time"),
    ({"schedule_cutover": "noon"}, "is not a time"),
])
def test_settings_that_would_break_the_door_are_refused(enrolled_terminal: Terminal, values,
                                                         message) -> None:
    from device.errors import BadInput

    before = enrolled_terminal.event_count()
    with pytest.raises(BadInput, match=message):
        enrolled_terminal.change_settings(**values)
    assert enrolled_terminal.event_count() == before


def test_a_running_door_follows_setting_changes(enrolled_terminal: Terminal) -> None:
    from device.door import DoorLoop

    loop = DoorLoop(enrolled_terminal)
    enrolled_terminal.change_settings(match_threshold=0.42, recheck_seconds=2.5)
    loop._refreshed = 0.0
    loop.step(np.zeros((120, 160, 3), np.uint8))
    assert (loop.pipeline.threshold, loop.pipeline.recheck_seconds) == (0.42, 2.5)
