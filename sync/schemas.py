"""Declared JSON Schemas of every payload on every topic (docs/mqtt.md), and the one
decoder that checks a message against them before anything acts on it.

`decode(raw, Message.X)` refuses, with one line: non-strict JSON (device/strictjson.py),
a wrong version, and anything outside the schema (types, 64-bit ranges, finite numbers,
bounded text and lists).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import jsonschema_rs

from device.event_schemas import EPOCH, FORMATS, SEQ, SHORT_TEXT, STAFF_ID
from device.strictjson import INT64_MAX, JsonError, loads
from sync.codes import PAYLOAD_VERSION
from sync.payloads import PayloadError

Schema = dict[str, Any]

MAX_MESSAGE_BYTES = 64 * 2**20  # a library batch of 500 samples with their crops
MAX_BATCH_EVENTS = 1000

COUNT: Schema = {"type": "integer", "minimum": 0, "maximum": INT64_MAX}
HEX_ID: Schema = {"type": "string", "pattern": "^[0-9a-f]{8,64}$"}
HASH: Schema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
DEVICE_ID: Schema = STAFF_ID
VERSION: Schema = {"const": PAYLOAD_VERSION}
REQUEST_ID: Schema = {**SHORT_TEXT, "maxLength": 128}
#: ISO 8601 with its offset, to the second or finer: 2026-12-02T09:01:07+08:00.
ISO_TIME: Schema = {"type": "string", "maxLength": 40, "pattern":
                    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$"}
NULLABLE_NUMBER: Schema = {"oneOf": [{"type": "null"}, {"type": "number"}]}
B64: Schema = {"type": "string", "pattern": "^[A-Za-z0-9+/]*={0,2}$",
               "maxLength": 16 * 2**20}


def _obj(properties: dict[str, Schema], required: list[str],
         extra: bool = True) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, "required": required}
    if not extra:
        schema["additionalProperties"] = False
    return schema


def _message(properties: dict[str, Schema], required: list[str]) -> Schema:
    return _obj({"v": VERSION, **properties}, ["v", *required])


WIRE_EVENT: Schema = _obj({
    "origin": {**DEVICE_ID, "minLength": 1}, "seq": SEQ, "type": {**SHORT_TEXT, "maxLength": 64},
    "version": {"type": "integer", "minimum": 1, "maximum": 1000},
    "wall_time": EPOCH, "hlc": COUNT, "payload": {"type": "object"},
    "bio": _obj({"encoding": B64, "crop": B64}, ["encoding"], extra=False),
    "chain": _obj({"position": SEQ, "prev": HASH, "hash": HASH,
                   "sealed": {"oneOf": [{"type": "null"}, HASH]}},
                  ["position", "prev", "hash"], extra=False),
    "quarantined": SHORT_TEXT,
}, ["origin", "seq", "type", "version", "wall_time", "hlc", "payload"])

EVENT_LIST: Schema = {"type": "array", "items": WIRE_EVENT, "maxItems": MAX_BATCH_EVENTS}


class Message(StrEnum):
    """One name per payload kind: the topic it travels on is in sync/topics.py."""

    EVENTS = "events"
    ACK = "ack"
    STATUS = "status"
    LIBRARY_REQUEST = "library_request"
    LIBRARY = "library"
    COMMAND = "command"
    HUB_COMMAND = "hub_command"
    HUB_STATUS = "hub_status"
    PUNCH = "punch"  # devices/<id>/punches, for integrators (sync/integrations.py)
    ACCESS = "access"  # devices/<id>/access, for integrators


SCHEMAS: dict[Message, Schema] = {
    Message.EVENTS: _message({"device": DEVICE_ID, "incarnation": HEX_ID, "base": COUNT,
                              "events": EVENT_LIST}, ["events"]),
    Message.ACK: _message({
        "stored_upto": COUNT, "resend_from": SEQ, "hub_db": HEX_ID, "incarnation": HEX_ID,
        "conflict": {"type": "boolean"},
        "rejected": {"type": "array", "maxItems": MAX_BATCH_EVENTS,
                     "items": _obj({"seq": SEQ, "reason": {"type": "string",
                                                           "maxLength": 500}},
                                   ["seq", "reason"])},
        "anchor": _obj({"seq": SEQ, "position": SEQ, "hash": HASH}, ["seq", "position",
                                                                     "hash"]),
    }, ["stored_upto"]),
    Message.STATUS: _message({
        "device": DEVICE_ID, "state": {"enum": ["online", "offline"]}, "session": COUNT,
        "version": {**SHORT_TEXT, "maxLength": 40}, "library_version": COUNT,
        "checksum": {"type": "string", "pattern": "^[0-9a-f]{0,64}$"},
        "people": COUNT, "samples": COUNT, "queue_depth": COUNT, "time": EPOCH,
        "incarnation": HEX_ID, "rejected_events": COUNT, "bad_messages": COUNT,
        "device_name": {**SHORT_TEXT, "maxLength": 100},
        "head": _obj({"position": COUNT, "seq": COUNT, "hash": HASH},
                     ["position", "seq", "hash"]),
    }, ["state", "session"]),
    Message.LIBRARY_REQUEST: _message({"device": DEVICE_ID, "after": COUNT,
                                       "limit": {"type": "integer", "minimum": 1,
                                                 "maximum": 10_000}}, ["after"]),
    Message.LIBRARY: _message({"events": EVENT_LIST, "more": {"type": "boolean"},
                               "hub_db": HEX_ID,
                               "library_version": COUNT,
                               "checksum": {"type": "string", "pattern": "^[0-9a-f]{0,64}$"}},
                              ["events"]),
    Message.COMMAND: _message({"request_id": REQUEST_ID, "command": {**SHORT_TEXT,
                                                                     "maxLength": 64},
                               "expires_at": EPOCH, "args": {"type": "object"},
                               "reply_to": STAFF_ID},
                              ["request_id", "command", "expires_at"]),
    Message.HUB_COMMAND: _message({"request_id": REQUEST_ID,
                                   "command": {**SHORT_TEXT, "maxLength": 64},
                                   "expires_at": EPOCH, "args": {"type": "object"},
                                   "reply_to": STAFF_ID},
                                  ["request_id", "command", "expires_at"]),
    Message.HUB_STATUS: _message({"hub": {**SHORT_TEXT, "maxLength": 64},
                                  "state": {"enum": ["online", "offline"]}}, ["state"]),
    Message.PUNCH: _message({
        "device": DEVICE_ID, "door_name": {**SHORT_TEXT, "maxLength": 100}, "seq": SEQ,
        "time": ISO_TIME, "person_id": STAFF_ID, "name": {"type": "string", "maxLength": 100},
        "status": {"enum": ["in", "out"]}, "distance": NULLABLE_NUMBER},
        ["device", "seq", "time", "person_id", "name", "status"]),
    Message.ACCESS: _message({
        "device": DEVICE_ID, "door_name": {**SHORT_TEXT, "maxLength": 100}, "seq": SEQ,
        "time": ISO_TIME, "person_id": {"oneOf": [{"type": "null"}, STAFF_ID]},
        "name": {"oneOf": [{"type": "null"}, {"type": "string", "maxLength": 100}]},
        "decision": {"enum": ["granted", "denied"]},
        "event_type": {"enum": ["granted", "denied"]},
        "reason": {**SHORT_TEXT, "maxLength": 64}, "distance": NULLABLE_NUMBER},
        ["device", "seq", "time", "decision", "reason"]),
}

#: Arguments of each device command (sync/commands.py) and hub command.
TIME_ARG: Schema = {"oneOf": [EPOCH, {"type": "string", "maxLength": 40}]}
COMMAND_ARGS: dict[str, Schema] = {
    "list_library": {"type": "object"},
    "remove_person": _obj({"person_id": STAFF_ID}, ["person_id"]),
    "punches": _obj({"from": {"oneOf": [{"type": "null"}, EPOCH]},
                     "to": {"oneOf": [{"type": "null"}, EPOCH]}}, []),
    "face_crops": _obj({"person_id": STAFF_ID}, ["person_id"]),
    "clear_records": _obj({"from": EPOCH, "to": EPOCH}, ["from", "to"]),
    "set_time": _obj({"time": EPOCH}, ["time"]),
    "open_door": _obj({"seconds": {"type": "number", "minimum": 0.1, "maximum": 30}}, []),
    "reload_config": {"type": "object"},
    "resync": {"type": "object"},
    "status": {"type": "object"},
    "decommission": {"type": "object"},
}
HUB_COMMAND_ARGS: dict[str, Schema] = {
    "add_faces": _obj({"person_id": STAFF_ID, "name": {"type": "string", "maxLength": 100},
                       "photos": {"type": "array", "minItems": 1, "maxItems": 20,
                                  "items": B64},
                       "phone": {"oneOf": [{"type": "null"}, {"type": "string",
                                                              "maxLength": 50}]},
                       "mail": {"oneOf": [{"type": "null"}, {"type": "string",
                                                             "maxLength": 200}]}},
                      ["person_id", "name", "photos"]),
    "remove_person": _obj({"person_id": STAFF_ID}, ["person_id"]),
    "list_library": {"type": "object"},
    "devices": {"type": "object"},
}


def _compile(schema: Schema) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(schema, formats=FORMATS, validate_formats=True)


_VALIDATORS = {kind: _compile(schema) for kind, schema in SCHEMAS.items()}
_WIRE_EVENT = _compile(WIRE_EVENT)
_ARGS = {name: _compile(schema) for name, schema in COMMAND_ARGS.items()}
_HUB_ARGS = {name: _compile(schema) for name, schema in HUB_COMMAND_ARGS.items()}


def _first_error(validator: jsonschema_rs.Validator, value: Any) -> str | None:
    error = next(iter(validator.iter_errors(value)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.instance_path) or "message"
    return f"{where}: {error.message[:200]}"


def decode(raw: bytes | bytearray, kind: Message) -> dict[str, Any]:
    """The message as a dict that matches its schema, or PayloadError in one line."""
    try:
        body = loads(raw, max_bytes=MAX_MESSAGE_BYTES)
    except JsonError as e:
        raise PayloadError(str(e)) from e
    if not isinstance(body, dict):
        raise PayloadError("not a JSON object")
    if body.get("v") != PAYLOAD_VERSION:
        raise PayloadError(f"unsupported payload version {str(body.get('v'))[:20]!r} "
                           f"(expected {PAYLOAD_VERSION})")
    problem = _first_error(_VALIDATORS[kind], body)
    if problem:
        raise PayloadError(problem)
    return body


def wire_event_problem(item: Any) -> str | None:
    return _first_error(_WIRE_EVENT, item)


def args_problem(command: str, args: Any, hub: bool = False) -> str | None:
    """None if `args` fit the command; the first problem otherwise (unknown: None)."""
    validator = (_HUB_ARGS if hub else _ARGS).get(command)
    return None if validator is None else _first_error(validator, args)
