"""Declared payload schemas of every event type (JSON Schema), checked before anything acts.

An event that fails its schema is never applied: projections quarantine it (an alert says
which one and why), the sync agent sends it to the hub as quarantined, the hub refuses it
by sequence. Events of this build always pass: the tests append every kind and check.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema_rs

from device.errors import BadInput
from device.eventlog.model import RecordedEvent
from device.events import CURRENT_VERSION, UPCASTERS, EventType
from device.ids import BIDI_CONTROLS, check_id, check_name
from device.recognition.face_models import MODEL_ID_PATTERN
from device.strictjson import INT64_MAX, JsonError, check_value

MAX_EPOCH = 253402300799.0  # 9999-12-31T23:59:59Z

Schema = dict[str, Any]


def _passes(check: Any) -> Any:
    @functools.lru_cache(maxsize=16_384)  # the same ids and names come again and again
    def format_ok(value: str) -> bool:
        try:
            check(value)
        except BadInput:
            return False
        return True
    return format_ok


def _free_text(value: str) -> bool:
    """Text a person may read: line breaks and tabs allowed, other controls and bidi not."""
    return not any((ch < " " and ch not in "\t\n\r") or "\x7f" <= ch <= "\x9f"
                   or ch in BIDI_CONTROLS for ch in value)


FORMATS = {
    "staff-id": _passes(check_id),
    "person-name": _passes(check_name),
    "plain-text": _free_text,
}

STAFF_ID: Schema = {"type": "string", "format": "staff-id", "maxLength": 64}
NAME: Schema = {"type": "string", "format": "person-name", "maxLength": 100}
TEXT: Schema = {"type": "string", "format": "plain-text", "maxLength": 10_000}
SHORT_TEXT: Schema = {"type": "string", "format": "plain-text", "minLength": 1,
                      "maxLength": 200}
OPTIONAL_TEXT: Schema = {"oneOf": [{"type": "null"}, {**TEXT, "maxLength": 200}]}
EPOCH: Schema = {"type": "number", "minimum": 0, "maximum": MAX_EPOCH}
DISTANCE: Schema = {"oneOf": [{"type": "null"}, {"type": "number", "minimum": 0,
                                                 "maximum": 1000}]}
MAX_DIM = 4096  # embedding dimensions a sample may declare
SEQ: Schema = {"type": "integer", "minimum": 1, "maximum": INT64_MAX}


def obj(properties: dict[str, Schema], required: list[str]) -> Schema:
    return {"type": "object", "properties": properties, "required": required}


def strict(properties: dict[str, Schema], required: list[str]) -> Schema:
    """An object of exactly these properties (nothing else)."""
    return {**obj(properties, required), "additionalProperties": False}


HH_MM: Schema = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
DATE: Schema = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
OPTIONAL_DATE: Schema = {"oneOf": [{"type": "null"}, DATE]}
MINUTES: Schema = {"type": "integer", "minimum": 0, "maximum": 1440}
SHIFT_NAME: Schema = {"type": "string", "format": "person-name", "maxLength": 100}
BY: Schema = {"type": "string", "format": "plain-text", "minLength": 1, "maxLength": 100}
REASON: Schema = SHORT_TEXT
PUNCH_STATUS: Schema = {"enum": ["in", "out", None]}

PAYLOAD_SCHEMAS: dict[str, Schema] = {
    EventType.PERSON_ENROLLED: obj({"person_id": STAFF_ID, "name": NAME,
                                    "phone": OPTIONAL_TEXT, "mail": OPTIONAL_TEXT},
                                   ["person_id", "name"]),
    EventType.PERSON_REMOVED: obj({"person_id": STAFF_ID}, ["person_id"]),
    EventType.FACE_SAMPLE_ADDED: obj({
        "person_id": STAFF_ID, "sample_id": STAFF_ID, "key_id": SHORT_TEXT,
        "quality": {"type": "number", "minimum": 0, "maximum": 1e9},
        "mirrored": {"type": "boolean"},
        "model": {"type": "string", "pattern": MODEL_ID_PATTERN},
        "dim": {"type": "integer", "minimum": 1, "maximum": MAX_DIM},
        "derived_from": STAFF_ID,
        "photo_digest": {"type": "string", "pattern": "^[0-9a-f]{16,64}$"},
        "gates": {"type": "object", "maxProperties": 16,
                  "additionalProperties": {"type": "number", "minimum": -1e9,
                                           "maximum": 1e9}}},
        ["person_id", "sample_id", "model", "dim"]),
    EventType.PUNCH_RECORDED: obj({
        "person_id": STAFF_ID, "name": NAME, "status": {"enum": ["in", "out"]},
        "time": EPOCH, "distance": DISTANCE}, ["person_id", "name", "status"]),
    EventType.ACCESS_DECIDED: obj({
        "person_id": {"oneOf": [{"type": "null"}, STAFF_ID]}, "decision": SHORT_TEXT,
        "reason": SHORT_TEXT, "distance": DISTANCE}, ["decision", "reason"]),
    EventType.DOOR_OPENED: {"type": "object"},
    EventType.ALERT_RAISED: obj({"alert_id": SHORT_TEXT, "kind": SHORT_TEXT,
                                 "detail": TEXT, "person_id": {"oneOf": [{"type": "null"},
                                                                         STAFF_ID]},
                                 "key_id": SHORT_TEXT}, ["alert_id", "kind"]),
    EventType.ALERT_HANDLED: obj({"alert_id": SHORT_TEXT}, ["alert_id"]),
    EventType.SETTINGS_CHANGED: obj({"values": {"type": "object"}}, ["values"]),
    EventType.RECORDS_CLEARED: obj({"from": EPOCH, "to": EPOCH}, ["from", "to"]),
    EventType.COMMAND_RECEIVED: obj({"request_id": SHORT_TEXT, "command": SHORT_TEXT,
                                     "expires_at": EPOCH, "status": SHORT_TEXT},
                                    ["request_id", "command", "status"]),
    EventType.SHIFT_DEFINED: strict({
        "name": SHIFT_NAME, "start": HH_MM, "end": HH_MM, "overnight": {"type": "boolean"},
        "late_grace_minutes": MINUTES, "early_grace_minutes": MINUTES,
        "breaks": {"type": "array", "maxItems": 16,
                   "items": {"type": "string",
                             "pattern": "^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$"}},
        "days": {"type": "string", "minLength": 1, "maxLength": 40,
                 "pattern": "^[a-z,-]+$"},
        "by": BY}, ["name", "start", "end", "overnight", "late_grace_minutes",
                    "early_grace_minutes", "breaks", "days", "by"]),
    EventType.SHIFT_ASSIGNED: strict({
        "shifts": {"type": "array", "minItems": 1, "maxItems": 8, "items": SHIFT_NAME},
        "person_id": {"oneOf": [{"type": "null"}, STAFF_ID]},
        "group_id": {"oneOf": [{"type": "null"}, STAFF_ID]},
        "everyone": {"type": "boolean"}, "from": OPTIONAL_DATE, "to": OPTIONAL_DATE,
        "kind": {"enum": ["regular", "temporary"]}, "by": BY},
        ["shifts", "person_id", "group_id", "everyone", "from", "to", "kind", "by"]),
    EventType.PUNCH_ADDED: strict({
        "person_id": STAFF_ID, "name": NAME, "time": EPOCH, "status": PUNCH_STATUS,
        "reason": REASON, "by": BY}, ["person_id", "name", "time", "status", "reason", "by"]),
    EventType.PUNCH_VOIDED: strict({
        "origin": SHORT_TEXT, "seq": SEQ, "person_id": STAFF_ID, "reason": REASON,
        "by": BY}, ["origin", "seq", "person_id", "reason", "by"]),
}

_VALIDATORS = {
    name: jsonschema_rs.validator_for(schema, formats=FORMATS, validate_formats=True)
    for name, schema in PAYLOAD_SCHEMAS.items()
}


def payload_problem(type_: str, version: int, payload: Any, strict_checked: bool = False
                    ) -> str | None:
    """Why this payload cannot be applied, in one line; None if it can. `strict_checked`:
    the caller knows the value holds nothing strict JSON refuses (no walk needed)."""
    validator = _VALIDATORS.get(type_)
    if validator is None:
        return f"unknown event type {type_[:40]!r}"
    if not isinstance(version, int) or version < 1:
        return f"bad version {version!r}"
    if version > CURRENT_VERSION[type_]:
        return f"version {version} is newer than this FaceGate knows"
    if not strict_checked:
        try:
            check_value(payload)
        except JsonError as e:
            return str(e)
    if not isinstance(payload, dict):
        return "the payload is not an object"
    while version < CURRENT_VERSION[type_]:
        try:
            payload = UPCASTERS[(type_, version)](payload)
        except Exception as e:
            return f"cannot upcast version {version}: {e}"
        version += 1
    error = next(iter(validator.iter_errors(payload)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.instance_path) or "payload"
    return f"{where}: {error.message[:160]}"


def event_problem(event: RecordedEvent) -> str | None:
    """Why a stored event cannot be applied (old logs may hold such), or None."""
    try:
        payload = event.payload
    except ValueError:
        return "the payload is not JSON"
    # What strict JSON refuses can only be in stored text as these spellings (json.dumps
    # writes NaN, Infinity, \u0000, long digit runs): only such text needs the full walk.
    clean = _SUSPECT_TEXT.search(event.payload_json) is None
    return payload_problem(event.type, event.version, payload, strict_checked=clean)


_SUSPECT_TEXT = re.compile(r"NaN|Infinity|\\u0000|\\u[dD][89abAB]|\d{19}|[eE][+]?[3-9]\d\d")
