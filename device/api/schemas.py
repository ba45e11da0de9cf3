"""JSON Schema pieces for the OpenAPI document (3.0: `nullable` rather than type lists)."""

from __future__ import annotations

import dataclasses
from typing import Any

from device.settings import DeviceSettings

Schema = dict[str, Any]

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "format": "date-time"}
BINARY: Schema = {"type": "string", "format": "binary"}


def nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


def obj(properties: dict[str, Schema], required: list[str] | None = None,
        extra: bool = True) -> Schema:
    schema: Schema = {"type": "object", "properties": properties,
                      "required": list(properties) if required is None else required}
    if not schema["required"]:
        del schema["required"]
    if not extra:
        schema["additionalProperties"] = False
    return schema


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def text(max_length: int, min_length: int = 0, **more: Any) -> Schema:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, **more}


ERROR = obj({"code": INT, "error": STR, "msg": STR})

FACE = obj({"box": array(INT), "person_id": nullable(STR), "name": nullable(STR),
            "verdict": {"type": "string", "enum": ["known", "unknown", "ambiguous"]},
            "distance": nullable(NUM)})

VERIFICATION = obj({
    "code": INT, "whether_face": BOOL, "whether_face_matching": BOOL,
    "username": {"oneOf": [STR, {"type": "boolean", "enum": [False]}]},
    "person_id": nullable(STR), "distance": nullable(NUM), "faces": array(FACE)})

REGISTRATION = obj({"code": INT, "face_encodings": STR, "person_id": STR, "name": STR,
                    "samples_added": INT, "new_person": BOOL})

ALL_FACES = obj({"code": INT, "all_face": array(STR),
                 "people": array(obj({"person_id": STR, "name": STR}))})

LIBRARY_ENTRY = obj({"staff_id": STR, "name": STR, "phone": nullable(STR),
                     "mail": nullable(STR), "samples": INT, "update_time": TIME})

FILE_RESULT = obj({"file": STR, "ok": BOOL, "staff_id": STR, "name": STR,
                   "samples_added": INT, "new_person": BOOL, "error": STR},
                  required=["file", "ok"])

ADD_RESULT = obj({"code": INT, "enrolled": INT, "failed": INT, "results": array(FILE_RESULT)})

PUNCH = obj({"name": STR, "staff_id": STR, "attend_time": TIME,
             "status": {"type": "string", "enum": ["in", "out"]}, "distance": nullable(NUM),
             "device": STR, "seq": INT})

CLEARED = obj({"code": INT, "start_time": TIME, "end_time": TIME,
               "cleared": obj({"punches": INT, "access_records": INT})})

ALERT = obj({"alert_id": STR, "time": TIME,
             "kind": STR, "detail": STR, "person_id": nullable(STR), "handled": BOOL,
             "snapshot": nullable(STR)})

HANDLED = obj({"code": INT, "alert_id": STR, "handled": BOOL})

HIDDEN_SETTINGS = frozenset({"admin_pin_hash"})  # changed on the touchscreen only

# Ranges the device accepts for the settings this API has always had; any newer setting
# is described by its type (the core checks its range and answers 400 with the rule).
SETTING_RULES: dict[str, Schema] = {
    "device_name": text(100, 1), "language": text(10, 1),
    "match_threshold": {"type": "number", "exclusiveMinimum": True, "minimum": 0,
                        "exclusiveMaximum": True, "maximum": 2},
    "match_margin": {"type": "number", "minimum": 0, "maximum": 1},
    "debounce_seconds": {"type": "number", "minimum": 0, "maximum": 86400},
    "punch_mode": {"type": "string", "enum": ["toggle", "schedule"]},
    "schedule_cutover": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
    "unknown_alert_interval": {"type": "number", "minimum": 0, "maximum": 86400},
    "retention_days": {"type": "number", "minimum": 1, "maximum": 3650},
    "relay_pulse_seconds": {"type": "number", "minimum": 0, "maximum": 60},
    "wake_distance_mm": {"type": "integer", "minimum": 0, "maximum": 2000},
    "recheck_seconds": {"type": "number", "minimum": 0.1, "maximum": 60},
}
_TYPES = {"float": NUM, "int": INT, "str": STR, "bool": BOOL}


def _setting_types() -> dict[str, Schema]:
    """Every visible setting of DeviceSettings with its JSON type."""
    return {f.name: _TYPES.get(str(f.type), {}) for f in dataclasses.fields(DeviceSettings)
            if f.name not in HIDDEN_SETTINGS}


SETTINGS = obj(_setting_types())

SETTINGS_CHANGE: Schema = {
    "type": "object", "minProperties": 1, "additionalProperties": False,
    "properties": {name: SETTING_RULES.get(name, kind)
                   for name, kind in _setting_types().items()}}

TIME_SET = obj({"code": INT, "applied": BOOL, "requested": TIME, "previous": TIME,
                "offset_seconds": NUM, "command": STR, "msg": STR, "timezone": nullable(STR)})

HEALTH = obj({"status": {"type": "string", "enum": ["ok"]}, "time": TIME,
              "uptime_seconds": NUM})

LOGIN = obj({"token": STR, "token_type": {"type": "string", "enum": ["Bearer"]},
             "expires_at": TIME, "username": STR,
             "role": {"type": "string", "enum": ["admin", "viewer"]}})

ACCOUNT = obj({"username": STR, "role": {"type": "string", "enum": ["admin", "viewer"]},
               "created_at": TIME})

MESSAGE = obj({"code": INT, "msg": STR})

DELETED = obj({"code": INT, "staff_id": STR, "msg": STR})

TIME_RANGE = obj({"start_time": STR, "end_time": STR}, required=[])
