"""Device settings: the rules in device/settings_rules.py, changes are SettingsChanged events
(projected to `settings`).

The dataclass keeps one field per entry of the rule table (same order), with the table's
default; many modules read `settings.match_threshold` and the like.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from device.errors import BadInput
from device.settings_rules import RULES, check_together, check_values
from device.storage.schema import settings as settings_table

log = logging.getLogger("facegate.settings")
_warned: set[str] = set()  # settings are read every 0.5 s: say each problem once


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def _default(name: str) -> Any:
    return RULES[name].default


@dataclass(frozen=True)
class DeviceSettings:
    device_name: str = _default("device_name")
    language: str = _default("language")
    face_engine: str = _default("face_engine")  # device.recognition.face_models.EngineName
    security_level: int = _default("security_level")  # one stranger in this many attempts
    match_threshold: float = _default("match_threshold")  # 0: from security_level
    match_margin: float = _default("match_margin")
    debounce_seconds: float = _default("debounce_seconds")
    punch_mode: str = _default("punch_mode")  # "toggle": in, out, in...; "schedule"
    schedule_cutover: str = _default("schedule_cutover")
    unknown_alert_interval: float = _default("unknown_alert_interval")
    retention_days: float = _default("retention_days")
    relay_pulse_seconds: float = _default("relay_pulse_seconds")
    wake_distance_mm: int = _default("wake_distance_mm")
    recheck_seconds: float = _default("recheck_seconds")
    admin_pin_hash: str = _default("admin_pin_hash")
    liveness_policy: str = _default("liveness_policy")  # "off" | "passive" | "strict"
    camera_focal_px: float = _default("camera_focal_px")  # `python -m device.liveness calibrate`
    camera_calibration_width_px: int = _default("camera_calibration_width_px")
    liveness_eye_mm_min: float = _default("liveness_eye_mm_min")
    liveness_eye_mm_max: float = _default("liveness_eye_mm_max")
    liveness_motion_min: float = _default("liveness_motion_min")
    liveness_max_wait_s: float = _default("liveness_max_wait_s")
    timezone: str = _default("timezone")  # IANA name: attendance reports (docs/attendance.md)
    ha_discovery: str = _default("ha_discovery")  # "on" | "off" (sync/integrations.py)
    ha_discovery_prefix: str = _default("ha_discovery_prefix")

    def changed(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validated, typed values by the rule table; BadInput names the first bad key."""
        return check_values(values, dataclasses.asdict(self))


if [f.name for f in dataclasses.fields(DeviceSettings)] != list(RULES):
    raise ImportError("DeviceSettings and device/settings_rules.py RULES differ")


def load_settings(connection: sa.Connection) -> DeviceSettings:
    """The projected settings; a value stored by an older version that the rules now refuse
    (relay_pulse_seconds=0 took every opening) reads as the default, with a warning."""
    stored = {row.key: json.loads(row.value)
              for row in connection.execute(sa.select(settings_table))}
    values: dict[str, Any] = {}
    for key, value in stored.items():
        rule = RULES.get(key)
        if rule is None:
            continue
        try:
            values[key] = rule.check(value)
        except BadInput as e:
            _warn_once(f"stored {e}: using the default {rule.default!r}")
    try:
        check_together({**dataclasses.asdict(DeviceSettings()), **values})
    except BadInput as e:
        _warn_once(f"stored {e}: using the defaults")
        values.pop("liveness_eye_mm_min", None)
        values.pop("liveness_eye_mm_max", None)
    return DeviceSettings(**values)
