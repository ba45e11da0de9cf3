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


def device_availability(device_id: str) -> str:
    """device (retained) -> everyone: plain "online" or "offline" (sync/integrations.py)."""
    return f"{ROOT}/devices/{device_id}/availability"


def device_punches(device_id: str) -> str:
    """device -> integrators: one message per punch, no biometrics."""
    return f"{ROOT}/devices/{device_id}/punches"


def device_access(device_id: str) -> str:
    """device -> integrators: one message per access decision, no biometrics."""
    return f"{ROOT}/devices/{device_id}/access"


def device_open_button(device_id: str) -> str:
    """Home Assistant -> device: "PRESS" opens the door (the discovery button's topic)."""
    return f"{ROOT}/devices/{device_id}/ha/open"


LIBRARY_BROADCAST = f"{ROOT}/library"  # hub -> all devices: new library events, live
HUB_COMMANDS = f"{ROOT}/hub/commands"  # operator -> hub: central enrolment, reports
HUB_STATUS = f"{ROOT}/hub/status"  # hub (retained; last will) -> everyone

ALL_DEVICE_EVENTS = f"{ROOT}/devices/+/events"
ALL_DEVICE_STATUS = f"{ROOT}/devices/+/status"
ALL_LIBRARY_REQUESTS = f"{ROOT}/devices/+/library/request"


def device_replies(device_id: str, operator: str) -> str:
    """device -> one requester (by its broker user name): answers to its commands."""
    return f"{ROOT}/devices/{device_id}/replies/{operator}"


def hub_replies(operator: str) -> str:
    """hub -> one requester (by its broker user name): answers to its hub commands."""
    return f"{ROOT}/hub/replies/{operator}"


def all_device_replies(operator: str) -> str:
    """Subscription for a requester: every device's answers addressed to it."""
    return f"{ROOT}/devices/+/replies/{operator}"


def is_device_reply_topic(topic: str, device_id: str) -> bool:
    """True if `topic` is one of `device_id`'s own reply topics (where it may answer)."""
    parts = topic.split("/")
    return (len(parts) == 6 and topic.startswith(f"{ROOT}/devices/{device_id}/replies/")
            and parts[3] == device_id and parts[5] not in ("", "+", "#"))


def is_hub_reply_topic(topic: str) -> bool:
    """True if `topic` is a hub reply topic `facegate/v1/hub/replies/<operator>`."""
    parts = topic.split("/")
    return (len(parts) == 5 and topic.startswith(f"{ROOT}/hub/replies/")
            and parts[4] not in ("", "+", "#"))


ALL_HUB_REPLIES = f"{ROOT}/hub/replies/+"  # what every hub user may write


def shared(topic: str) -> str:
    return f"$share/{HUB_SHARE_GROUP}/{topic}"


def device_of(topic: str) -> str | None:
    """The device id in a `facegate/v1/devices/<id>/...` topic."""
    parts = topic.split("/")
    if len(parts) >= 4 and parts[0] == "facegate" and parts[1] == "v1" and parts[2] == "devices":
        return parts[3]
    return None
