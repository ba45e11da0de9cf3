"""JSON Schema pieces for the OpenAPI document (3.0: `nullable` rather than type lists)."""

from __future__ import annotations

from typing import Any

from device.ids import BIDI_CONTROLS
from device.settings_rules import RULE_LIST, Kind, SettingRule

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

# -- settings: derived from the rule table (device/settings_rules.py), so the document and
# the core agree: type, range, enum, pattern and length of every setting.

HIDDEN_SETTINGS = frozenset(r.name for r in RULE_LIST if r.hidden)  # touchscreen only

#: Approximates device.ids.check_name for a schema: no control (C0, C1) or bidi control
#: characters, at least one non-space. (The core also refuses invisible-only names.)
_NOT_IN_NAMES = "\\u0000-\\u001f\\u007f-\\u009f" + "".join(
    f"\\u{ord(ch):04x}" for ch in sorted(BIDI_CONTROLS))
NAME_PATTERN = f"^[^{_NOT_IN_NAMES}]*[^{_NOT_IN_NAMES}\\s][^{_NOT_IN_NAMES}]*$"


def setting_schema(rule: SettingRule) -> Schema:
    """The JSON Schema (OpenAPI 3.0 flavour) of one setting."""
    schema: Schema
    if rule.kind is Kind.ENUM:
        schema = {"type": "string", "enum": list(rule.choices)}
    elif rule.numeric:
        schema = {"type": "integer" if rule.kind is Kind.INT else "number",
                  "minimum": rule.minimum, "maximum": rule.maximum}
        if rule.exclusive_minimum:
            schema["exclusiveMinimum"] = True
        if rule.exclusive_maximum:
            schema["exclusiveMaximum"] = True
    elif rule.kind is Kind.TIME_OF_DAY:
        schema = {"type": "string", "pattern": rule.pattern}
    elif rule.kind is Kind.TIME_ZONE:  # the zones this system's zoneinfo has, by name
        from device.timekeeping.timezone import known_zones

        schema = {"type": "string", "enum": known_zones()}
    else:
        schema = text(rule.max_length or 0, rule.min_length)
        pattern = NAME_PATTERN if rule.kind is Kind.NAME else rule.pattern
        if pattern:
            schema["pattern"] = pattern
    schema["description"] = (f"{rule.description} ({rule.range_text()}; applied by the "
                             f"{rule.applied_by})")
    schema["default"] = rule.default
    if rule.unit:
        schema["x-unit"] = rule.unit
    schema["x-applied-by"] = str(rule.applied_by)
    return schema


#: Every setting the API shows and changes, with its schema.
SETTING_RULES: dict[str, Schema] = {r.name: setting_schema(r) for r in RULE_LIST
                                    if not r.hidden}

SETTINGS = obj(SETTING_RULES)

SETTINGS_CHANGE: Schema = {
    "type": "object", "minProperties": 1, "additionalProperties": False,
    "properties": SETTING_RULES}

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

#: get_attend_infos: the punches of a time range, or ("report": "daily") the daily sheet.
ATTEND_QUERY = obj({"start_time": STR, "end_time": STR,
                    "from": text(10, 10, description="daily: first day YYYY-MM-DD"),
                    "to": text(10, 10, description="daily: last day YYYY-MM-DD, inclusive"),
                    "report": {"type": "string", "enum": ["punches", "daily"],
                               "default": "punches"}}, required=[])

DAILY_ROW = obj({"staff_id": STR, "person_id": STR, "date": {"type": "string",
                                                             "format": "date"},
                 "name": STR, "shift": nullable(STR), "first_in": nullable(TIME),
                 "last_out": nullable(TIME), "worked_minutes": INT, "late_minutes": INT,
                 "early_leave_minutes": INT, "overtime_minutes": INT, "status": STR,
                 "corrected": BOOL, "in_door": nullable(STR), "out_door": nullable(STR)})


def strict_extras(schema: Schema) -> Schema:
    """A JSON body documents exactly its fields: unknown ones are ignored by the handlers,
    but strict JSON (device/strictjson.py) refuses NUL text and integers beyond 64 bits
    anywhere in a body, which the document could not say of unnamed members."""
    if schema.get("type") == "object" and "additionalProperties" not in schema:
        return {**schema, "additionalProperties": False}
    return schema
