"""The one settings rule table: DeviceSettings follows it, the core checks strictly with it."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from device.errors import BadInput
from device.eventlog.model import NewEvent
from device.events import DoorOpenReason, EventType
from device.settings import DeviceSettings
from device.settings_rules import RULES, Applier, Kind
from device.terminal import Terminal
from tests.support.bad_settings import MEASURED_BAD

#: Every value the other tests and callers set (grep change_settings / settings=).
USED_ELSEWHERE: list[dict[str, object]] = [
    {"device_name": "a"}, {"device_name": "前门"}, {"debounce_seconds": 5},
    {"debounce_seconds": 0}, {"debounce_seconds": 1}, {"debounce_seconds": 60},
    {"debounce_seconds": 3600}, {"debounce_seconds": 120.0},
    {"punch_mode": "schedule", "schedule_cutover": "12:00"},
    {"match_threshold": 0.42, "recheck_seconds": 2.5},
    {"liveness_policy": "off"}, {"liveness_policy": "passive"}, {"liveness_policy": "strict"},
    {"camera_focal_px": 1234.57, "camera_calibration_width_px": 640},
    {"admin_pin_hash": ""}, {"language": "en"}, {"language": "zh"},
    {"match_threshold": 0.55, "debounce_seconds": 120, "punch_mode": "schedule"},
    # the touchscreen's values, the CLI's text
    {"match_threshold": 0.5, "debounce_seconds": 120.0, "wake_distance_mm": 1000,
     "relay_pulse_seconds": 3.0, "language": "zh"},
    {"wake_distance_mm": "800"}, {"match_threshold": "0.55"}, {"debounce_seconds": "120"},
]


def test_the_table_has_one_entry_per_setting_and_gives_the_defaults() -> None:
    fields = dataclasses.fields(DeviceSettings)
    assert [f.name for f in fields] == list(RULES)
    defaults = DeviceSettings()
    for f in fields:
        rule = RULES[f.name]
        assert getattr(defaults, f.name) == rule.default
        assert type(rule.default) is rule.python_type
        assert f.type == rule.python_type.__name__, f.name
        assert rule.description and rule.applied_by in Applier
        assert rule.check(rule.default) == rule.default  # the defaults keep the rules
        if rule.numeric:
            assert rule.minimum is not None and rule.maximum is not None
            assert rule.minimum < rule.maximum
        if rule.kind is Kind.ENUM:
            assert rule.default in rule.choices


def test_the_defaults_are_the_ones_modules_rely_on() -> None:
    s = DeviceSettings()
    assert (s.device_name, s.language, s.match_threshold, s.match_margin) == \
        ("FaceGate", "zh", 0.0, 0.06)  # threshold 0: from the security level
    assert (s.face_engine, s.security_level) == ("mobileface", 60)
    assert (s.debounce_seconds, s.punch_mode, s.schedule_cutover, s.relay_pulse_seconds,
            s.wake_distance_mm, s.recheck_seconds, s.liveness_policy) == \
        (120.0, "toggle", "12:00", 3.0, 1000, 1.0, "passive")


@pytest.mark.parametrize(("key", "value"), MEASURED_BAD)
def test_the_measured_bad_values_are_refused_by_the_core(terminal: Terminal, key: str,
                                                         value: object) -> None:
    before = terminal.event_count()
    with pytest.raises(BadInput) as refused:
        terminal.change_settings(**{key: value})
    message = str(refused.value)
    assert "\n" not in message and message.startswith(f"setting {key}")
    assert len(message) < 200
    assert terminal.event_count() == before


@pytest.mark.parametrize("values", USED_ELSEWHERE)
def test_what_the_rest_of_the_product_sets_is_still_accepted(terminal: Terminal,
                                                             values: dict) -> None:
    changed = terminal.change_settings(**values)
    for key, value in values.items():
        assert getattr(changed, key) == RULES[key].python_type(value)


def test_numeric_text_from_the_cli_is_converted() -> None:
    clean = DeviceSettings().changed({"wake_distance_mm": "800", "relay_pulse_seconds": " 2.5",
                                      "retention_days": "30", "match_margin": "1e-2"})
    assert clean == {"wake_distance_mm": 800, "relay_pulse_seconds": 2.5,
                     "retention_days": 30.0, "match_margin": 0.01}
    assert type(clean["wake_distance_mm"]) is int and type(clean["retention_days"]) is float
    assert DeviceSettings().changed({"wake_distance_mm": 900.0}) == {"wake_distance_mm": 900}


@pytest.mark.parametrize(("key", "value", "rule"), [
    ("wake_distance_mm", 1.9, "not a whole number"),
    ("wake_distance_mm", "1.5", "not a whole number"),
    ("wake_distance_mm", True, "not an int"),
    ("wake_distance_mm", "true", "not an int"),
    ("wake_distance_mm", "1_000", "not an int"),
    pytest.param("wake_distance_mm", 10**400, "between 100 and 2000 mm", id="huge-int"),
    ("debounce_seconds", False, "not a float"),
    ("debounce_seconds", [], "not a float"),
    ("debounce_seconds", "0x10", "not a float"),
    ("debounce_seconds", "inf", "not a finite number"),
    ("debounce_seconds", float("nan"), "not a finite number"),
    ("debounce_seconds", 1e400, "not a finite number"),
    ("relay_pulse_seconds", 0, "must be between 0.1 and 30 seconds"),
    ("relay_pulse_seconds", -1, "must not be negative"),
    ("match_threshold", -0.1, "at least 0 and below 2"),
    ("match_threshold", 2, "at least 0 and below 2"),
    ("face_engine", "arcface", "'dlib' or 'mobileface'"),
    ("security_level", 5, "between 10 and 1e+07 attempts"),
    ("punch_mode", None, "use 'toggle' or 'schedule'"),
    ("language", "fr", "use 'zh' or 'en'"),
    ("schedule_cutover", "9:00", "is not a time like 12:00"),
    ("schedule_cutover", "١٢:٠٠", "is not a time like 12:00"),  # Arabic-Indic digits
    ("schedule_cutover", 1200, "is not a time like 12:00"),
    ("device_name", "door\x07", "control character"),
    ("device_name", "\ud800", "lone surrogate"),
    ("device_name", "\u202eroob", "bidi control"),
    ("device_name", "   ", "1-100 characters"),
    ("device_name", "\u200b", "shows nothing"),
    ("device_name", 5, "is not text"),
    ("admin_pin_hash", "1234", "stored format"),
    ("admin_pin_hash", None, "is not text"),
])
def test_each_rule_refuses_in_one_line_naming_setting_and_rule(key: str, value: object,
                                                              rule: str) -> None:
    with pytest.raises(BadInput) as refused:
        DeviceSettings().changed({key: value})
    message = str(refused.value)
    assert message.startswith(f"setting {key}") and rule in message, message
    assert "\n" not in message and len(message) < 200


def test_the_rules_across_settings_are_kept() -> None:
    with pytest.raises(BadInput, match="below liveness_eye_mm_max"):
        DeviceSettings().changed({"liveness_eye_mm_min": 85})
    with pytest.raises(BadInput, match="below liveness_eye_mm_max"):
        DeviceSettings().changed({"liveness_eye_mm_min": 60, "liveness_eye_mm_max": 60})
    assert DeviceSettings().changed({"liveness_eye_mm_min": 85, "liveness_eye_mm_max": 90})
    with pytest.raises(BadInput, match="unknown setting 'colour'"):
        DeviceSettings().changed({"colour": "red"})


def test_a_name_is_stored_trimmed(terminal: Terminal) -> None:
    assert terminal.change_settings(device_name="  Front door ").device_name == "Front door"


def test_a_real_pin_hash_is_accepted() -> None:
    from werkzeug.security import generate_password_hash

    stored = generate_password_hash("2468")
    assert DeviceSettings().changed({"admin_pin_hash": stored}) == {"admin_pin_hash": stored}


def test_a_value_stored_by_an_older_version_outside_the_rules_reads_as_the_default(
        terminal: Terminal) -> None:
    """Doors that took relay_pulse_seconds=0 before the rules: the door opens again."""
    terminal.store.append([NewEvent(EventType.SETTINGS_CHANGED, {"values": {
        "relay_pulse_seconds": 0.0, "wake_distance_mm": 1.9, "device_name": "",
        "debounce_seconds": 1e12, "match_threshold": 0.5}})])
    s = terminal.settings()
    assert (s.relay_pulse_seconds, s.wake_distance_mm, s.device_name, s.debounce_seconds) == \
        (3.0, 1000, "FaceGate", 120.0)
    assert s.match_threshold == 0.5  # the good value in the same change is kept
    assert terminal.verify().ok


# -- the relay and the sensor take every value the rules allow --------------------------------

def test_the_relay_takes_every_pulse_length_the_core_allows() -> None:
    from hardware.relay.base import DEFAULT_MAX_PULSE_S
    from hardware.relay.fake import FakeRelay

    rule = RULES["relay_pulse_seconds"]
    assert rule.maximum is not None and rule.maximum <= DEFAULT_MAX_PULSE_S  # never clamped
    relay = FakeRelay()
    try:
        for seconds in (rule.minimum, rule.default, rule.maximum):
            relay.pulse(DeviceSettings().changed({"relay_pulse_seconds": seconds})[
                "relay_pulse_seconds"])
        assert [p for p in relay.pulses] and relay.faults == 0
    finally:
        relay.close()


@settings(max_examples=60, deadline=None)
@given(seconds=st.floats(0.1, 30.0))
def test_any_pulse_in_range_is_one_the_relay_accepts(seconds: float) -> None:
    from hardware.relay.fake import FakeRelay

    clean = DeviceSettings().changed({"relay_pulse_seconds": seconds})["relay_pulse_seconds"]
    relay = FakeRelay()
    try:
        relay.pulse(clean)  # raises ValueError for a length it refuses
    finally:
        relay.close()


def test_a_zero_pulse_can_no_longer_turn_recognitions_into_relay_alerts(
        terminal: Terminal) -> None:
    from device.door_service import DoorService
    from hardware.relay.fake import FakeRelay

    with pytest.raises(BadInput, match=r"relay_pulse_seconds: must be between 0\.1 and 30"):
        terminal.change_settings(relay_pulse_seconds=0)
    terminal.change_settings(relay_pulse_seconds=0.1)
    relay = FakeRelay()
    # frames=None: no camera; this test never starts the loop.
    service = DoorService(terminal, frames=None, relay=relay)  # type: ignore[arg-type]
    try:
        assert service.open_door(DoorOpenReason.RECOGNISED, "E001") is True
        assert terminal.alerts() == []
    finally:
        relay.close()


def test_the_wake_distance_range_fits_the_sensor() -> None:
    from hardware.tof.constants import BLIND_ZONE_MM, MAX_RANGE_MM
    from hardware.tof.wake import DEFAULT_WAKE_DISTANCE_MM, WakeDetector

    rule = RULES["wake_distance_mm"]
    assert rule.minimum is not None and rule.maximum is not None
    assert rule.minimum > BLIND_ZONE_MM and rule.maximum <= MAX_RANGE_MM
    assert rule.default == DEFAULT_WAKE_DISTANCE_MM
    for mm in (rule.minimum, rule.maximum):
        WakeDetector(wake_distance_mm=int(mm))


def test_every_setting_names_who_applies_it() -> None:
    by = {rule.name: rule.applied_by for rule in RULES.values()}
    assert by["wake_distance_mm"] is Applier.WAKE and by["relay_pulse_seconds"] is Applier.RELAY
    assert by["match_threshold"] is Applier.RECOGNISER
    assert json.dumps({k: str(v) for k, v in by.items()})  # plain text, for docs
