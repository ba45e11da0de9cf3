"""What a door tells integrators (Home Assistant, Node-RED, Frigate-style tools) directly.

- `facegate/v1/devices/<id>/availability`: retained `online` / `offline`, Home Assistant's
  and Frigate's convention, next to the JSON status.
- `facegate/v1/devices/<id>/punches` and `.../access`: one message per punch and per access
  decision, taken from the door's own log (so none is skipped across restarts or while
  the broker was away), carrying names, decisions and times with their offset, never face
  data (no encodings, no crops): the operator role may read them.
- Home Assistant MQTT discovery: retained `<prefix>/<component>/facegate_<id>/<object>/config`
  messages that make the door appear without YAML (docs/mqtt.md, "Home Assistant").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from device import __version__
from device.eventlog.model import RecordedEvent
from device.events import EventType, upcast
from sync import topics

AVAILABLE, NOT_AVAILABLE = "online", "offline"
OPEN_PRESS = "PRESS"  # Home Assistant's button payload on the door's open topic
#: Events integrators receive, by type.
PUBLISHED_TYPES = (EventType.PUNCH_RECORDED, EventType.ACCESS_DECIDED)
#: Home Assistant's node ids and object ids: letters, digits, _ and - only.
_HA_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# The topics live with the rest of the tree (sync/topics.py); these names read well here.
availability = topics.device_availability
punches = topics.device_punches
access = topics.device_access
open_button = topics.device_open_button


def iso(seconds: float) -> str:
    """Local time with its offset, to the second (2026-12-02T09:01:07+08:00)."""
    return dt.datetime.fromtimestamp(seconds).astimezone().isoformat(timespec="seconds")


def integration_message(event: RecordedEvent, device_id: str, door_name: str,
                        names: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    """(topic, body) for one punch or access event; None for other events. `names`:
    person id -> name, for access decisions (their payload holds only the id)."""
    payload = upcast(event)
    base = {"device": device_id, "door_name": door_name, "seq": event.seq,
            "time": iso(payload.get("time", event.wall_time))}
    if event.type == EventType.PUNCH_RECORDED:
        return punches(device_id), {**base, "person_id": payload["person_id"],
                                    "name": payload["name"], "status": payload["status"],
                                    "distance": payload.get("distance")}
    if event.type == EventType.ACCESS_DECIDED:
        person = payload.get("person_id")
        return access(device_id), {**base, "person_id": person,
                                   "name": names.get(person) if person else None,
                                   "decision": payload["decision"],
                                   "event_type": payload["decision"],  # Home Assistant's event
                                   "reason": payload["reason"],
                                   "distance": payload.get("distance")}
    return None


@dataclass(frozen=True)
class DiscoveryMessage:
    topic: str
    config: dict[str, Any]


def ha_node_id(device_id: str) -> str | None:
    """The door's Home Assistant node id, or None when its id has characters HA refuses."""
    node = f"facegate_{device_id}"
    return node if _HA_ID.match(node) else None


def discovery_messages(device_id: str, door_name: str, prefix: str) -> list[DiscoveryMessage]:
    """Every entity of the door, each with the device block and the availability topic."""
    node = ha_node_id(device_id)
    if node is None:
        return []
    status = topics.device_status(device_id)
    common = {"availability_topic": availability(device_id),
              "payload_available": AVAILABLE, "payload_not_available": NOT_AVAILABLE,
              "device": {"identifiers": [node], "name": door_name, "manufacturer": "FaceGate",
                         "model": "FaceGate door", "sw_version": __version__}}

    def entity(component: str, object_id: str, name: str, **config: Any) -> DiscoveryMessage:
        return DiscoveryMessage(f"{prefix}/{component}/{node}/{object_id}/config",
                                {"name": name, "unique_id": f"{node}_{object_id}",
                                 "object_id": f"{node}_{object_id}", **common, **config})

    return [
        entity("button", "open", "Open door", command_topic=open_button(device_id),
               payload_press=OPEN_PRESS, icon="mdi:door-open"),
        entity("binary_sensor", "connectivity", "Connected", state_topic=availability(device_id),
               payload_on=AVAILABLE, payload_off=NOT_AVAILABLE, device_class="connectivity",
               availability_topic=None, availability=None),
        entity("sensor", "last_person", "Last person", state_topic=punches(device_id),
               value_template="{{ value_json.name }}", icon="mdi:account"),
        entity("sensor", "last_punch", "Last punch", state_topic=punches(device_id),
               value_template="{{ value_json.time }}", device_class="timestamp"),
        entity("sensor", "queue_depth", "Events waiting for the hub", state_topic=status,
               value_template="{{ value_json.queue_depth | default(0) }}",
               state_class="measurement", entity_category="diagnostic"),
        entity("sensor", "library_size", "People enrolled", state_topic=status,
               value_template="{{ value_json.people | default(0) }}",
               state_class="measurement"),
        entity("event", "access", "Access", state_topic=access(device_id),
               event_types=["granted", "denied"], icon="mdi:face-recognition"),
    ]


def without_nulls(config: dict[str, Any]) -> dict[str, Any]:
    """Home Assistant reads a key set to null as set: leave such keys out."""
    return {k: v for k, v in config.items() if v is not None}
