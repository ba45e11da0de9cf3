"""The settings rule table: one entry per device setting, the only place its rules live.

`DeviceSettings` (device/settings.py) takes its defaults from `RULES` and checks every
change with it; the HTTP API's JSON Schema (device/api/schemas.py) and the touchscreen's
steppers (gui/screens/settings.py) are derived from it. Each entry says who applies the
setting on a running door (`applied_by`), so none is left that nothing applies.

Checks are strict: no bool for a number, an int must be whole (1.9 is refused, 2.0 is 2),
numbers finite and in range, text for a number only as plain decimal text (what the CLI
passes: `settings wake_distance_mm=800`), None / {} / [] refused everywhere. Errors are
one line that names the setting and the rule.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from device.errors import BadInput
from device.ids import MAX_NAME_LENGTH, check_name, check_optional_text
from device.liveness.policy import (
    DEFAULT_EYE_MM_MAX,
    DEFAULT_EYE_MM_MIN,
    DEFAULT_MAX_WAIT_S,
    DEFAULT_MOTION_MIN,
    LivenessPolicy,
)
from device.recognition.decision import DEFAULT_MARGIN, DEFAULT_SECURITY_LEVEL
from device.recognition.face_models import DEFAULT_ENGINE, EngineName


class Kind(StrEnum):
    NAME = "name"  # display text under device.ids.check_name
    ENUM = "enum"  # one of `choices`
    INT = "int"
    FLOAT = "float"
    TIME_OF_DAY = "time-of-day"  # HH:MM, 00:00-23:59
    SECRET = "secret"  # a werkzeug password hash, or "" (the documented default applies)
    TIME_ZONE = "time-zone"  # an IANA name zoneinfo opens (device.timekeeping.site_zone)
    TOPIC = "topic"  # MQTT topic levels without wildcards, e.g. a discovery prefix


class Applier(StrEnum):
    """Who makes a setting take effect on a running door (re-read at least every 0.5 s)."""

    RECOGNISER = "recogniser"  # device/door.py DoorLoop, device/door_service.py
    ATTENDANCE = "attendance"  # device/attendance.py, on every decision
    RELAY = "relay"  # device/door_service.py open_door, on every opening
    WAKE = "wake detector"  # device/door_service.py -> hardware/tof/wake.py
    LIVENESS = "liveness"  # device/door.py DoorLoop
    RETENTION = "retention"  # `python -m device compact`
    SCREEN = "screen"  # touchscreen, web admin page, alert e-mail (read on use)
    ENGINE_SWITCH = "engine switch"  # device/library/engine_switch.py, via Terminal
    REPORTS = "attendance reports"  # device/attendance_admin.py, on every report
    INTEGRATIONS = "sync agent"  # sync/agent.py, at every connection to the broker


TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
#: Topic levels of letters, digits, _ and -: no wildcard, no empty level, no "$" prefix.
TOPIC_PATTERN = r"^[A-Za-z0-9_-]{1,64}(/[A-Za-z0-9_-]{1,64}){0,3}$"
#: The spelling of an IANA zone name (Asia/Shanghai, America/Argentina/Buenos_Aires, UTC,
#: Etc/GMT+8); whether the zone exists is zoneinfo's to say.
TIME_ZONE_PATTERN = r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$"
#: werkzeug's "method$salt$hash" (scrypt:..., pbkdf2:sha256:...), or empty.
PASSWORD_HASH_PATTERN = r"^$|^[a-z0-9]+(:[a-z0-9]+)*\$[A-Za-z0-9]+\$[0-9a-f]+$"
#: Numeric text as the CLI passes it: plain decimal, optional exponent; no "1_000", "0x10".
_NUMBER_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NON_FINITE_TEXT = re.compile(r"[+-]?(nan|inf|infinity)", re.ASCII | re.IGNORECASE)
_SHOWN_CHARS = 40


def _show(value: object) -> str:
    """The value for an error message: repr, cut short (a 5000-character name stays short)."""
    shown = repr(value)
    return shown if len(shown) <= _SHOWN_CHARS else shown[:_SHOWN_CHARS - 1] + "…"


def _g(number: float) -> str:
    return f"{number:g}"


@dataclass(frozen=True)
class SettingRule:
    name: str
    kind: Kind
    default: Any
    description: str
    applied_by: Applier
    unit: str = ""  # for messages and the screen: "seconds", "mm", ...
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: tuple[str, ...] = ()
    min_length: int = 0
    max_length: int | None = None
    pattern: str | None = None  # for text kinds, ASCII regex (also the JSON Schema pattern)
    step: float | None = None  # the touchscreen stepper's step (None: not on the screen)
    decimals: int = 0  # the touchscreen stepper's decimals
    hidden: bool = False  # not shown nor changed over HTTP (admin_pin_hash)

    @property
    def python_type(self) -> type:
        return {Kind.INT: int, Kind.FLOAT: float}.get(self.kind, str)

    @property
    def numeric(self) -> bool:
        return self.kind in (Kind.INT, Kind.FLOAT)

    # -- descriptions -------------------------------------------------------------------

    def range_text(self) -> str:
        """'between 0.1 and 30 seconds', 'above 0 and below 2', 'one of ...'."""
        if self.kind is Kind.ENUM:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is Kind.TIME_OF_DAY:
            return "a time HH:MM from 00:00 to 23:59"
        if self.kind is Kind.TIME_ZONE:
            return "an IANA time zone name such as Asia/Shanghai"
        if self.kind is Kind.TOPIC:
            return "MQTT topic levels of letters, digits, _ and - (no wildcards)"
        if not self.numeric:
            return f"{self.min_length}-{self.max_length} characters"
        assert self.minimum is not None and self.maximum is not None
        low = ("above " if self.exclusive_minimum else "at least ") + _g(self.minimum)
        high = ("below " if self.exclusive_maximum else "at most ") + _g(self.maximum)
        if not (self.exclusive_minimum or self.exclusive_maximum):
            text = f"between {_g(self.minimum)} and {_g(self.maximum)}"
        else:
            text = f"{low} and {high}"
        return f"{text} {self.unit}" if self.unit else text

    def allows_number(self, number: float) -> bool:
        assert self.minimum is not None and self.maximum is not None
        above = number > self.minimum if self.exclusive_minimum else number >= self.minimum
        below = number < self.maximum if self.exclusive_maximum else number <= self.maximum
        return above and below

    def _error(self, rule: str) -> BadInput:
        return BadInput(f"setting {self.name}: {rule}")

    # -- the check ----------------------------------------------------------------------

    def check(self, value: object) -> Any:
        """The clean, typed value; BadInput (one line, naming setting and rule) if not."""
        if self.numeric:
            return self._check_number(value)
        if self.kind is Kind.ENUM:
            if not isinstance(value, str) or value not in self.choices:
                quoted = [repr(c) for c in self.choices]
                allowed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 \
                    else quoted[0]
                raise self._error(f"{_show(value)} is not allowed: use {allowed}")
            return value
        if self.kind is Kind.TIME_OF_DAY:
            if not isinstance(value, str) or not re.fullmatch(self.pattern or "", value,
                                                               re.ASCII):
                raise self._error(f"{_show(value)} is not a time like 12:00 "
                                  "(HH:MM, 00:00 to 23:59)")
            return value
        if self.kind is Kind.TIME_ZONE:
            return self._check_zone(value)
        if self.kind is Kind.TOPIC:
            if not isinstance(value, str) or not re.fullmatch(self.pattern or "", value,
                                                               re.ASCII):
                raise self._error(f"{_show(value)} is not {self.range_text()}")
            return value
        if not isinstance(value, str):
            raise self._error(f"{_show(value)} is not text: must be {self.range_text()}")
        if not self.min_length <= len(value) <= (self.max_length or 0):
            raise self._error(f"must be {self.range_text()} (it has {len(value)})")
        if self.kind is Kind.NAME:
            return check_name(value, f"setting {self.name}")
        clean = check_optional_text(value, f"setting {self.name}", self.max_length or 0) or ""
        if self.pattern is not None and not re.fullmatch(self.pattern, clean, re.ASCII):
            raise self._error("is not in the stored format (set it on the touchscreen, "
                              "or set it empty for the default)")
        return clean

    def _check_zone(self, value: object) -> str:
        from device.timekeeping.timezone import site_zone

        if not isinstance(value, str) or not re.fullmatch(self.pattern or "", value,
                                                           re.ASCII):
            raise self._error(f"{_show(value)} is not {self.range_text()}")
        try:
            site_zone(value)
        except BadInput as e:
            raise self._error(str(e)) from None
        return value

    def _check_number(self, value: object) -> int | float:
        a_type = "an int" if self.kind is Kind.INT else "a float"
        must = f"must be {'a whole number' if self.kind is Kind.INT else 'a number'} " \
               f"{self.range_text()}"
        if isinstance(value, bool) or not isinstance(value, numbers.Real | str):
            raise self._error(f"{_show(value)} is not {a_type}: {must}")
        number: numbers.Real | float
        if isinstance(value, str):
            text = value.strip()
            if _NON_FINITE_TEXT.fullmatch(text):
                raise self._error(f"{_show(value)} is not a finite number: {must}")
            if not _NUMBER_TEXT.fullmatch(text):
                raise self._error(f"{_show(value)} is not {a_type}: {must}")
            number = int(text) if _INTEGER_TEXT.fullmatch(text) else float(text)
        else:
            number = value
        if isinstance(number, numbers.Integral):
            number = int(number)
        else:
            number = float(number)
            if not math.isfinite(number):
                raise self._error(f"{_show(value)} is not a finite number: {must}")
            if self.kind is Kind.INT:
                if not number.is_integer():
                    raise self._error(f"{_show(value)} is not a whole number: {must}")
                number = int(number)
        if not self.allows_number(number):  # before float(): 10**400 is simply too big
            negative = number < 0 <= (self.minimum or 0)
            raise self._error(f"must be {self.range_text()}, not {_show(value)}"
                              + (" (it must not be negative)" if negative else ""))
        return int(number) if self.kind is Kind.INT else float(number)


def _number(name: str, kind: Kind, default: float, low: float, high: float, unit: str,
            applied_by: Applier, description: str, **more: Any) -> SettingRule:
    return SettingRule(name, kind, default, description, applied_by, unit, low, high, **more)


_S, _MM = "seconds", "mm"

#: Every device setting, in DeviceSettings field order.
RULE_LIST: tuple[SettingRule, ...] = (
    SettingRule("device_name", Kind.NAME, "FaceGate",
                "The door's name on the standby screen, the web admin page and alert mail",
                Applier.SCREEN, min_length=1, max_length=MAX_NAME_LENGTH),
    SettingRule("language", Kind.ENUM, "zh", "Touchscreen language", Applier.SCREEN,
                choices=("zh", "en")),
    SettingRule("face_engine", Kind.ENUM, DEFAULT_ENGINE.value,
                "Face detector and embedding; a change re-encodes the library from its "
                "stored crops first (docs/recognition.md)", Applier.ENGINE_SWITCH,
                choices=tuple(e.value for e in EngineName)),
    _number("security_level", Kind.INT, DEFAULT_SECURITY_LEVEL, 10, 10_000_000,
            "attempts", Applier.RECOGNISER, "At most one stranger in this many attempts is "
            "named as someone: the match threshold for this library size follows from it "
            "(docs/thresholds.md)"),
    _number("match_threshold", Kind.FLOAT, 0.0, 0.0, 2.0, "",
            Applier.RECOGNISER, "A fixed largest face distance that counts as a match, "
            "instead of the one the security level gives; 0: from the security level",
            exclusive_maximum=True, step=0.01, decimals=2),
    _number("match_margin", Kind.FLOAT, DEFAULT_MARGIN, 0.0, 1.0, "", Applier.RECOGNISER,
            "How much closer the best person must be than the next one, else ambiguous"),
    _number("debounce_seconds", Kind.FLOAT, 120.0, 0.0, 86400.0, _S, Applier.ATTENDANCE,
            "A person seen again within this time is not punched again", step=30,
            decimals=0),
    SettingRule("punch_mode", Kind.ENUM, "toggle",
                "toggle: in, out, in...; schedule: in before the cut-over, out after",
                Applier.ATTENDANCE, choices=("toggle", "schedule")),
    SettingRule("schedule_cutover", Kind.TIME_OF_DAY, "12:00",
                "In schedule mode: punches before this time are in, after it out",
                Applier.ATTENDANCE, pattern=TIME_OF_DAY_PATTERN),
    _number("unknown_alert_interval", Kind.FLOAT, 30.0, 0.0, 86400.0, _S,
            Applier.ATTENDANCE, "At most one unknown-face alert per this time"),
    _number("retention_days", Kind.FLOAT, 90.0, 1.0, 3650.0, "days", Applier.RETENTION,
            "`compact` drops punches older than this once the hub has them"),
    # 30 s: the relay's own ceiling (hardware/relay/base.py DEFAULT_MAX_PULSE_S); 0.1 s is
    # about the shortest pulse an electric strike still answers.
    _number("relay_pulse_seconds", Kind.FLOAT, 3.0, 0.1, 30.0, _S, Applier.RELAY,
            "How long the lock relay stays energised when the door opens", step=0.5,
            decimals=1),
    # The TOF200F measures 30-2000 mm (hardware/tof/constants.py): nearer than 100 mm is
    # a face on the lens, and a reading beyond 2000 mm is out of range anyway.
    _number("wake_distance_mm", Kind.INT, 1000, 100, 2000, _MM, Applier.WAKE,
            "Someone nearer than this to the TOF sensor wakes the door", step=50,
            decimals=0),
    _number("recheck_seconds", Kind.FLOAT, 1.0, 0.1, 60.0, _S, Applier.RECOGNISER,
            "A tracked face is recognised again after this time"),
    SettingRule("admin_pin_hash", Kind.SECRET, "",
                "Hash of the admin PIN; empty: the documented default PIN",
                Applier.SCREEN, max_length=512, pattern=PASSWORD_HASH_PATTERN, hidden=True),
    SettingRule("liveness_policy", Kind.ENUM, LivenessPolicy.PASSIVE.value,
                "Anti-spoofing: off, passive (flag) or strict (refuse) (docs/liveness.md)",
                Applier.LIVENESS, choices=tuple(p.value for p in LivenessPolicy)),
    _number("camera_focal_px", Kind.FLOAT, 0.0, 0.0, 100_000.0, "px", Applier.LIVENESS,
            "Camera focal length from `python -m device.liveness calibrate`; 0: none"),
    _number("camera_calibration_width_px", Kind.INT, 0, 0, 100_000, "px", Applier.LIVENESS,
            "Frame width the focal length was measured at"),
    _number("liveness_eye_mm_min", Kind.FLOAT, DEFAULT_EYE_MM_MIN, 1.0, 200.0, _MM,
            Applier.LIVENESS, "Smallest plausible eye-centre distance"),
    _number("liveness_eye_mm_max", Kind.FLOAT, DEFAULT_EYE_MM_MAX, 1.0, 200.0, _MM,
            Applier.LIVENESS, "Largest plausible eye-centre distance"),
    _number("liveness_motion_min", Kind.FLOAT, DEFAULT_MOTION_MIN, 0.0, 1.0,
            "eye distances", Applier.LIVENESS,
            "Least non-rigid face motion (homography residual) that a live face shows"),
    _number("liveness_max_wait_s", Kind.FLOAT, DEFAULT_MAX_WAIT_S, 0.0, 10.0, _S,
            Applier.LIVENESS, "Longest wait for liveness evidence after recognition"),
    SettingRule("timezone", Kind.TIME_ZONE, "Asia/Shanghai",
                "The site's time zone: work days, shift times and every time in an "
                "attendance report (docs/attendance.md)", Applier.REPORTS, min_length=1,
                max_length=64, pattern=TIME_ZONE_PATTERN),
    SettingRule("ha_discovery", Kind.ENUM, "on",
                "Home Assistant MQTT discovery: the door announces itself (docs/mqtt.md)",
                Applier.INTEGRATIONS, choices=("on", "off")),
    SettingRule("ha_discovery_prefix", Kind.TOPIC, "homeassistant",
                "Home Assistant's discovery prefix", Applier.INTEGRATIONS, min_length=1,
                max_length=200, pattern=TOPIC_PATTERN),
)

RULES: dict[str, SettingRule] = {rule.name: rule for rule in RULE_LIST}


def check_together(merged: dict[str, Any]) -> None:
    """The rules across settings, on the settings as they would be after a change."""
    if merged["liveness_eye_mm_min"] >= merged["liveness_eye_mm_max"]:
        raise BadInput("setting liveness_eye_mm_min: must be below liveness_eye_mm_max")


def check_values(values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Validated, typed values (a subset of RULES); BadInput names the first bad key."""
    clean: dict[str, Any] = {}
    for key, value in values.items():
        rule = RULES.get(key) if isinstance(key, str) else None
        if rule is None:
            raise BadInput(f"unknown setting {_show(key)}")
        clean[key] = rule.check(value)
    check_together({**current, **clean})
    return clean
