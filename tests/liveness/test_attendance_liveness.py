"""Attendance.on_match with a liveness verdict: policy by policy, without frames."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sqlalchemy as sa

from device.attendance import Attendance, Outcome
from device.errors import BadInput
from device.events import AlertKind, EventType
from device.liveness.policy import CueResult, CueState, LivenessResult, LivenessVerdict
from device.liveness.tof import fresh_distance_mm
from device.recognition.decision import Match, Verdict
from device.settings import DeviceSettings
from device.storage.db import read_transaction
from device.storage.schema import events
from device.terminal import Terminal
from hardware.tof.enums import ReadingStatus
from hardware.tof.reading import Reading

KNOWN = Match(Verdict.KNOWN, "joe_biden", 0.31, None, None)
SPOOF = LivenessResult(LivenessVerdict.SPOOF, "no_motion",
                       (CueResult("motion", CueState.FAIL, 0.01),), 15, 1.5)
LIVE = LivenessResult(LivenessVerdict.LIVE, "motion",
                      (CueResult("motion", CueState.PASS, 0.06),), 3, 0.2)
UNKNOWN = LivenessResult(LivenessVerdict.UNKNOWN, "not_assessed")
SNAPSHOT = np.full((64, 64, 3), 128, np.uint8)
NOW = 1_790_000_000.0


def payloads(terminal: Terminal) -> list[tuple[str, dict]]:
    with read_transaction(terminal.database.engine) as c:
        rows = c.execute(sa.select(events.c.type, events.c.payload).where(
            events.c.type.in_([EventType.PUNCH_RECORDED.value, EventType.ACCESS_DECIDED.value,
                               EventType.ALERT_RAISED.value])).order_by(events.c.position))
        return [(r.type, json.loads(r.payload)) for r in rows]


@pytest.mark.parametrize("liveness", [None, UNKNOWN])
@pytest.mark.parametrize("policy", ["off", "passive", "strict"])
def test_no_verdict_or_unknown_keeps_the_old_behaviour(enrolled_terminal: Terminal, policy: str,
                                                       liveness: LivenessResult | None) -> None:
    enrolled_terminal.change_settings(liveness_policy=policy)
    desk = Attendance(enrolled_terminal.store)
    first = desk.on_match(KNOWN, SNAPSHOT, NOW, liveness=liveness)
    again = desk.on_match(KNOWN, SNAPSHOT, NOW + 5, liveness=liveness)
    assert (first.outcome, again.outcome) == (Outcome.CHECKED_IN, Outcome.ALREADY_PUNCHED)
    assert first.open_door and again.open_door and first.liveness is None
    assert [t for t, _ in payloads(enrolled_terminal)] == ["PunchRecorded", "AccessDecided",
                                                           "AccessDecided"]
    assert all("liveness" not in p for _, p in payloads(enrolled_terminal))


def test_off_ignores_even_a_spoof_verdict(enrolled_terminal: Terminal) -> None:
    enrolled_terminal.change_settings(liveness_policy="off")
    decision = Attendance(enrolled_terminal.store).on_match(KNOWN, SNAPSHOT, NOW, liveness=SPOOF)
    assert decision.outcome is Outcome.CHECKED_IN and decision.alert_id is None
    assert not enrolled_terminal.alerts()


def test_live_is_recorded_and_changes_nothing_else(enrolled_terminal: Terminal) -> None:
    enrolled_terminal.change_settings(liveness_policy="strict")
    decision = Attendance(enrolled_terminal.store).on_match(KNOWN, None, NOW, liveness=LIVE)
    assert decision.outcome is Outcome.CHECKED_IN and decision.open_door
    punch, access = (p for _, p in payloads(enrolled_terminal))
    assert punch["liveness"] == access["liveness"] == LIVE.as_payload()
    assert not enrolled_terminal.alerts()


def test_passive_suspicion_within_the_debounce_still_opens_and_alerts(
        enrolled_terminal: Terminal) -> None:
    enrolled_terminal.change_settings(liveness_policy="passive")
    desk = Attendance(enrolled_terminal.store)
    desk.on_match(KNOWN, None, NOW, liveness=LIVE)
    decision = desk.on_match(KNOWN, SNAPSHOT, NOW + 5, liveness=SPOOF)
    assert decision.outcome is Outcome.ALREADY_PUNCHED and decision.open_door
    (alert,) = enrolled_terminal.alerts()
    assert alert.kind == AlertKind.SPOOF_SUSPECTED and alert.person_id == "joe_biden"
    assert decision.alert_id == alert.alert_id


def test_strict_refusal_and_the_snapshot_goes_with_the_person(enrolled_terminal: Terminal) -> None:
    enrolled_terminal.change_settings(liveness_policy="strict")
    decision = Attendance(enrolled_terminal.store).on_match(KNOWN, SNAPSHOT, NOW, liveness=SPOOF)
    assert decision.outcome is Outcome.SPOOF_REFUSED and not decision.open_door
    assert decision.as_dict()["liveness"]["reason"] == "no_motion"
    assert not enrolled_terminal.punches()
    (alert,) = enrolled_terminal.alerts()
    assert enrolled_terminal.alert_snapshot(alert.alert_id) is not None
    enrolled_terminal.remove("joe_biden")  # erasing the person erases the picture of them
    assert enrolled_terminal.alert_snapshot(alert.alert_id) is None


def test_strangers_are_not_affected(enrolled_terminal: Terminal) -> None:
    enrolled_terminal.change_settings(liveness_policy="strict")
    stranger = Match(Verdict.UNKNOWN, None, 0.74, None, None)
    decision = Attendance(enrolled_terminal.store).on_match(stranger, SNAPSHOT, NOW, liveness=SPOOF)
    assert decision.outcome is Outcome.NOT_RECOGNISED
    assert [a.kind for a in enrolled_terminal.alerts()] == [AlertKind.UNKNOWN_FACE]


@pytest.mark.parametrize(("values", "message"), [
    ({"liveness_policy": "maybe"}, "use 'off', 'passive' or 'strict'"),
    ({"camera_focal_px": "nan"}, "camera_focal_px"),
    ({"camera_focal_px": -1}, "camera_focal_px"),
    ({"liveness_max_wait_s": 60}, "liveness_max_wait_s"),
    ({"liveness_eye_mm_min": 85}, "below liveness_eye_mm_max"),
])
def test_bad_liveness_settings_are_refused(values: dict, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        DeviceSettings().changed(values)


def test_fresh_distance_from_a_tof_reading() -> None:
    ok = Reading(512, ReadingStatus.OK, 100.0)
    assert fresh_distance_mm(ok, 100.1) == 512.0
    assert fresh_distance_mm(ok, 101.0) is None  # a second old: where someone was
    assert fresh_distance_mm(Reading(None, ReadingStatus.NO_TARGET, 100.0), 100.0) is None
    assert fresh_distance_mm(Reading(2500, ReadingStatus.OUT_OF_RANGE, 100.0), 100.0) is None
    assert fresh_distance_mm(None, 100.0) is None
