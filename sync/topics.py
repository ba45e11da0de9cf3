"""The MQTT topic tree (documented in docs/mqtt.md). Every topic starts with the version."""

from __future__ import annotations

ROOT = "facegate/v1"

#: Hub instances share device traffic through this MQTT 5 shared-subscription group.
HUB_SHARE_GROUP = "facegate-hubs"


def device_events(device_id: str) -> str:
    """device -> hub: batches of the device's own events (the outbox)."""
    return f"{ROOT}/devices/{device_id}/events"


def device_ack(device_id: str) -> str:
    """hub -> device: how far the hub has stored the device's events without a gap."""
    return f"{ROOT}/devices/{device_id}/ack"


def device_status(device_id: str) -> str:
    """device (retained; last will) -> everyone: online/offline with a session counter."""
    return f"{ROOT}/devices/{device_id}/status"


def device_library_request(device_id: str) -> str:
    """device -> hub: send me library events after hub sequence N."""
    return f"{ROOT}/devices/{device_id}/library/request"


def device_library(device_id: str) -> str:
    """hub -> one device: a batch of library events (catch-up)."""
    return f"{ROOT}/devices/{device_id}/library"


def device_commands(device_id: str) -> str:
    """operator -> device: commands, answered on the MQTT 5 response topic."""
    return f"{ROOT}/devices/{device_id}/commands"


LIBRARY_BROADCAST = f"{ROOT}/library"  # hub -> all devices: new library events, live
HUB_COMMANDS = f"{ROOT}/hub/commands"  # operator -> hub: central enrolment, reports
HUB_STATUS = f"{ROOT}/hub/status"  # hub (retained; last will) -> everyone

ALL_DEVICE_EVENTS = f"{ROOT}/devices/+/events"
ALL_DEVICE_STATUS = f"{ROOT}/devices/+/status"
ALL_LIBRARY_REQUESTS = f"{ROOT}/devices/+/library/request"


def shared(topic: str) -> str:
    return f"$share/{HUB_SHARE_GROUP}/{topic}"


def device_of(topic: str) -> str | None:
    """The device id in a `facegate/v1/devices/<id>/...` topic."""
    parts = topic.split("/")
    if len(parts) >= 4 and parts[0] == "facegate" and parts[1] == "v1" and parts[2] == "devices":
        return parts[3]
    return None
