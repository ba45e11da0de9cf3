"""Settings over HTTP and the CLI: the OpenAPI document and the core follow one rule table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest

from device.api.openapi import document
from device.api.routes import ROUTES
from device.api.schemas import HIDDEN_SETTINGS
from device.settings import DeviceSettings
from device.settings_rules import RULE_LIST, RULES, Kind, SettingRule
from tests.support.bad_settings import MEASURED_BAD
from tests.support.http import Api
from tests.support.paths import REPO

#: MEASURED_BAD as the CLI can spell them (it passes text: no {} or null there).
MEASURED_BAD_TEXT = [("device_name", ""), ("device_name", "x" * 5000), ("match_margin", "5"),
                     ("retention_days", "0"), ("debounce_seconds", "1e12"),
                     ("relay_pulse_seconds", "0"), ("relay_pulse_seconds", "3600"),
                     ("wake_distance_mm", "1.9"), ("wake_distance_mm", "true"),
                     ("recheck_seconds", "0")]


def _document_schema(path: str, method: str, response: bool = False) -> dict:
    operation = document(ROUTES)["paths"][path][method]
    if response:
        return operation["responses"]["200"]["content"]["application/json"]["schema"]
    return operation["requestBody"]["content"]["application/json"]["schema"]


def _nudge(rule: SettingRule, bound: float, direction: int) -> float | int:
    if rule.kind is Kind.INT:
        return int(bound) + direction
    return bound + direction * max(abs(bound), 1.0) * 1e-6


def boundary_values(rule: SettingRule) -> list[object]:
    """From the table: each bound, just inside and just outside it, and wrong types."""
    wrong_types: list[object] = [None, {}, [], True]
    if rule.numeric:
        assert rule.minimum is not None and rule.maximum is not None
        values: list[object] = [rule.minimum, rule.maximum, rule.default,
                                _nudge(rule, rule.minimum, -1), _nudge(rule, rule.minimum, 1),
                                _nudge(rule, rule.maximum, -1), _nudge(rule, rule.maximum, 1),
                                "abc"]
        if rule.kind is Kind.INT:
            values += [int(rule.minimum), int(rule.maximum), rule.minimum + 0.5]
        return values + wrong_types
    if rule.kind is Kind.ENUM:
        return [*rule.choices, "x", rule.choices[0].upper(), 1, *wrong_types]
    if rule.kind is Kind.TIME_OF_DAY:
        return ["00:00", "23:59", "24:00", "9:00", "12:60", "1200", 1200, *wrong_types]
    low, high = rule.min_length, rule.max_length or 0
    return ["a" * max(low, 1), "前" * high, "a" * (high + 1), "" if low else "a", " ",
            "door\x07", "a\u202eb", 5, *wrong_types]


CASES = [(rule.name, value) for rule in RULE_LIST if not rule.hidden
         for value in boundary_values(rule)]


def _core_accepts(key: str, value: object) -> bool:
    try:
        DeviceSettings().changed(_with_partner(key, value))
    except Exception:
        return False
    return True


def _with_partner(key: str, value: object) -> dict:
    """The eye band is one rule across two settings: move the other end out of the way."""
    body = {key: value}
    if key == "liveness_eye_mm_min":
        body["liveness_eye_mm_max"] = RULES["liveness_eye_mm_max"].maximum
    if key == "liveness_eye_mm_max":
        body["liveness_eye_mm_min"] = RULES["liveness_eye_mm_min"].minimum
    return body


def _cross_rule_alone_refuses(key: str, value: object) -> bool:
    """min == max at the table's ends: the schema cannot say min < max."""
    if isinstance(value, bool):
        return False
    return (key == "liveness_eye_mm_min" and value == RULES["liveness_eye_mm_max"].maximum) \
        or (key == "liveness_eye_mm_max" and value == RULES["liveness_eye_mm_min"].minimum)


def test_the_document_describes_every_visible_setting_from_the_table() -> None:
    change = _document_schema("/api/v1/settings", "patch")
    shown = _document_schema("/api/v1/settings", "get", response=True)
    visible = [r.name for r in RULE_LIST if not r.hidden]
    assert list(change["properties"]) == visible == list(shown["properties"])
    assert set(HIDDEN_SETTINGS) == {"admin_pin_hash"}
    assert change["additionalProperties"] is False and change["minProperties"] == 1
    pulse = change["properties"]["relay_pulse_seconds"]
    assert (pulse["type"], pulse["minimum"], pulse["maximum"]) == ("number", 0.1, 30.0)
    wake = change["properties"]["wake_distance_mm"]
    assert (wake["type"], wake["minimum"], wake["maximum"], wake["x-unit"]) == \
        ("integer", 100, 2000, "mm")
    assert change["properties"]["language"]["enum"] == ["zh", "en"]
    assert change["properties"]["device_name"]["maxLength"] == 100
    for name in visible:
        assert "applied by the" in change["properties"][name]["description"]


@pytest.mark.parametrize(("key", "value"), CASES)
def test_the_document_and_the_core_agree_on_boundary_values(key: str, value: object) -> None:
    validator = jsonschema_rs.Draft4Validator(_document_schema("/api/v1/settings", "patch"))
    schema_ok = validator.is_valid(_with_partner(key, value))
    core_ok = _core_accepts(key, value)
    if _cross_rule_alone_refuses(key, value):
        assert schema_ok and not core_ok
    else:
        assert schema_ok == core_ok, (key, value, schema_ok, core_ok)


def test_the_boundary_values_over_http(empty_api: Api) -> None:
    """Every boundary value: 200 over HTTP exactly when the served document allows it."""
    doc = empty_api.viewer.get("/openapi.json").json()
    validator = jsonschema_rs.Draft4Validator(
        doc["paths"]["/api/v1/settings"]["patch"]["requestBody"]["content"][
            "application/json"]["schema"])
    shown = jsonschema_rs.Draft4Validator(
        doc["paths"]["/api/v1/settings"]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"])
    disagree = []
    for key, value in CASES:
        body = _with_partner(key, value)
        answer = empty_api.admin.patch("/api/v1/settings", json=body)
        assert answer.status_code in (200, 400), answer.text
        if answer.status_code == 400:
            message = answer.json()["msg"]
            assert "\n" not in message and message.startswith("setting "), message
        else:
            assert shown.is_valid(answer.json()), answer.json()
        expected = validator.is_valid(body) and not _cross_rule_alone_refuses(key, value)
        if (answer.status_code == 200) != expected:
            disagree.append((key, value, answer.status_code))
    assert disagree == []
    assert shown.is_valid(empty_api.viewer.get("/api/v1/settings").json())


def test_the_measured_bad_values_are_refused_over_http(empty_api: Api) -> None:
    before = empty_api.viewer.get("/api/v1/settings").json()
    events = empty_api.terminal.event_count()
    for key, value in MEASURED_BAD:
        answer = empty_api.admin.patch("/api/v1/settings", json={key: value})
        assert answer.status_code == 400, (key, value, answer.text)
        message = answer.json()["msg"]
        assert "\n" not in message and key in message, message
    assert empty_api.viewer.get("/api/v1/settings").json() == before
    assert empty_api.terminal.event_count() == events


def test_a_good_change_over_http_is_stored_typed(empty_api: Api) -> None:
    answer = empty_api.admin.patch("/api/v1/settings", json={
        "wake_distance_mm": 800, "relay_pulse_seconds": 0.1, "device_name": " Front door "})
    assert answer.status_code == 200, answer.text
    s = empty_api.terminal.settings()
    assert (s.wake_distance_mm, s.relay_pulse_seconds, s.device_name) == \
        (800, 0.1, "Front door")


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "device", "--db", str(db), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=300)


def test_the_measured_bad_values_are_refused_by_the_cli(tmp_path: Path, capsys) -> None:
    from device.cli import main

    db = tmp_path / "device.sqlite"
    assert main(["--db", str(db), "settings"]) == 0
    capsys.readouterr()
    before = db.read_bytes()
    for key, value in MEASURED_BAD_TEXT:
        assert main(["--db", str(db), "settings", f"{key}={value}"]) == 2, (key, value)
        out, err = capsys.readouterr()
        assert out == "" and err.strip().count("\n") == 0 and key in err, err
    assert db.read_bytes() == before
    done = _cli(db, "settings", "relay_pulse_seconds=0")  # the real process, its exit code
    assert done.returncode == 2 and done.stdout == ""
    assert "relay_pulse_seconds: must be between 0.1 and 30 seconds" in done.stderr
    assert db.read_bytes() == before


def test_the_cli_converts_its_text(tmp_path: Path) -> None:
    db = tmp_path / "device.sqlite"
    done = _cli(db, "settings", "wake_distance_mm=800", "relay_pulse_seconds=0.5")
    assert done.returncode == 0, done.stderr
    assert "wake_distance_mm=800\n" in done.stdout and "relay_pulse_seconds=0.5\n" in done.stdout
