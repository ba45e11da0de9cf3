"""The AsyncAPI document of the topic tree, built from the payload schemas the code checks.

`python -m sync.asyncapi > docs/asyncapi.json` writes it; a test keeps the checked-in
copy equal to this and validates real traffic on a real broker against it, so the
document cannot drift from what the doors and the hub send and accept.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from device import __version__
from sync.codes import ResultStatus
from sync.schemas import COMMAND_ARGS, HUB_COMMAND_ARGS, SCHEMAS, Message, Schema

#: AsyncAPI channel (topic with {parameters}) -> (message kind, who publishes, summary).
CHANNELS: dict[str, tuple[Message | str, str, str]] = {
    "facegate/v1/devices/{device_id}/events": (
        Message.EVENTS, "door", "Batches of the door's own events (the outbox)"),
    "facegate/v1/devices/{device_id}/ack": (
        Message.ACK, "hub", "How far the hub stored the door's events without a gap"),
    "facegate/v1/devices/{device_id}/status": (
        Message.STATUS, "door", "Retained; online birth, offline will, with a session"),
    "facegate/v1/devices/{device_id}/library/request": (
        Message.LIBRARY_REQUEST, "door", "Send me library events after hub sequence N"),
    "facegate/v1/devices/{device_id}/library": (
        Message.LIBRARY, "hub", "A batch of library events (catch-up)"),
    "facegate/v1/library": (Message.LIBRARY, "hub", "New library events, live"),
    "facegate/v1/devices/{device_id}/commands": (
        Message.COMMAND, "operator", "Fleet commands for one door"),
    "facegate/v1/hub/commands": (
        Message.HUB_COMMAND, "operator", "Central enrolment, library, device registry"),
    "facegate/v1/hub/status": (Message.HUB_STATUS, "hub", "Retained; online / offline will"),
    "facegate/v1/devices/{device_id}/availability": (
        "availability", "door", "Retained plain text online / offline"),
    "facegate/v1/devices/{device_id}/punches": (
        Message.PUNCH, "door", "One message per punch, no face data"),
    "facegate/v1/devices/{device_id}/access": (
        Message.ACCESS, "door", "One message per access decision, no face data"),
    "facegate/v1/devices/{device_id}/ha/open": (
        "press", "Home Assistant", "PRESS opens the door (live messages only)"),
    "facegate/v1/devices/{device_id}/replies/{user}": (
        "result", "door", "Answers to the commands of broker user {user}"),
    "facegate/v1/hub/replies/{user}": (
        "result", "hub", "Answers to the hub commands of broker user {user}"),
    "homeassistant/{component}/{node_id}/{object_id}/config": (
        "discovery", "door", "Retained Home Assistant MQTT discovery configs (the prefix is "
        "the ha_discovery_prefix setting)"),
}
PLAIN_TEXT: dict[str, Schema] = {
    "availability": {"type": "string", "enum": ["online", "offline"]},
    "press": {"type": "string", "enum": ["PRESS"]},
}
JSON_OTHER: dict[str, Schema] = {
    "result": {"type": "object", "required": ["v", "status"], "properties": {
        "v": {"const": 1}, "request_id": {"type": "string", "maxLength": 128},
        "status": {"enum": [s.value for s in ResultStatus]},
        "result": {}, "error": {"type": "string"}}, "additionalProperties": False},
    "discovery": {"type": "object", "required": ["name", "unique_id", "device"],
                  "properties": {"name": {"type": "string"}, "unique_id": {"type": "string"},
                                 "device": {"type": "object"}}},
}


PARAMETERS = {"device_id": "the door's device id", "user": "the requester's broker user name",
              "component": "a Home Assistant component", "node_id": "facegate_<device_id>",
              "object_id": "the entity"}


def payload_schema(kind: Message | str) -> Schema:
    if isinstance(kind, Message):
        return SCHEMAS[kind]
    return PLAIN_TEXT[kind] if kind in PLAIN_TEXT else JSON_OTHER[kind]


def build() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    for address, (kind, sender, summary) in CHANNELS.items():
        parameters = {name: {"description": PARAMETERS[name]} for name in PARAMETERS
                      if "{" + name + "}" in address}
        channels[address] = {
            **({"parameters": parameters} if parameters else {}),
            "subscribe": {"summary": f"{summary} (published by the {sender})",
                          "message": {"name": str(kind),
                                      "contentType": "text/plain" if kind in PLAIN_TEXT
                                      else "application/json",
                                      "payload": payload_schema(kind)}}}
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "FaceGate fleet MQTT API", "version": __version__,
                 "description": "Topic tree of FaceGate doors, hubs and integrations; "
                                "docs/mqtt.md explains each topic. QoS 1 throughout."},
        "defaultContentType": "application/json",
        "servers": {"broker": {"url": "mqtt://127.0.0.1:1883", "protocol": "mqtt",
                               "protocolVersion": "5"}},
        "channels": channels,
        "components": {"schemas": {
            **{f"command_args_{name}": schema for name, schema in COMMAND_ARGS.items()},
            **{f"hub_command_args_{name}": schema
               for name, schema in HUB_COMMAND_ARGS.items()}}},
    }


def channel_of(topic: str) -> str | None:
    """The channel a concrete topic belongs to (device ids filled in), or None."""
    parts = topic.split("/")
    for address in CHANNELS:
        pattern = address.split("/")
        if len(pattern) == len(parts) and all(
                p == t or (p.startswith("{") and t) for p, t in zip(pattern, parts,
                                                                      strict=True)):
            return address
    return None


def main() -> int:
    json.dump(build(), sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
