"""Device settings: defaults here, changes are SettingsChanged events (projected to `settings`)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from device.errors import BadInput
from device.recognition.decision import DEFAULT_MARGIN, DEFAULT_THRESHOLD
from device.storage.schema import settings as settings_table


@dataclass(frozen=True)
class DeviceSettings:
    device_name: str = "FaceGate"
    language: str = "zh"
    match_threshold: float = DEFAULT_THRESHOLD
    match_margin: float = DEFAULT_MARGIN
    debounce_seconds: float = 120.0
    punch_mode: str = "toggle"  # "toggle": in, out, in...; "schedule": in before cutover
    schedule_cutover: str = "12:00"
    unknown_alert_interval: float = 30.0
    retention_days: float = 90.0
    relay_pulse_seconds: float = 3.0
    wake_distance_mm: int = 1000
    recheck_seconds: float = 1.0
    admin_pin_hash: str = ""

    def changed(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validated, typed values; BadInput names the first bad key."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        clean: dict[str, Any] = {}
        for key, value in values.items():
            if key not in fields:
                raise BadInput(f"unknown setting {key!r}")
            kind = type(getattr(self, key))
            try:
                clean[key] = kind(value)
            except (TypeError, ValueError) as e:
                raise BadInput(f"setting {key}: {value!r} is not a {kind.__name__}") from e
        if clean.get("punch_mode", self.punch_mode) not in ("toggle", "schedule"):
            raise BadInput("setting punch_mode: use 'toggle' or 'schedule'")
        if not 0.0 < clean.get("match_threshold", self.match_threshold) < 2.0:
            raise BadInput("setting match_threshold: must be between 0 and 2")
        return clean


def load_settings(connection: sa.Connection) -> DeviceSettings:
    stored = {row.key: json.loads(row.value)
              for row in connection.execute(sa.select(settings_table))}
    known = {f.name for f in dataclasses.fields(DeviceSettings)}
    return DeviceSettings(**{k: v for k, v in stored.items() if k in known})
