"""Named values used on the wire and in the agent: no magic numbers."""

from __future__ import annotations

from enum import IntEnum, StrEnum

PAYLOAD_VERSION = 1


class QoS(IntEnum):
    AT_MOST_ONCE = 0
    AT_LEAST_ONCE = 1


class DeviceState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class Command(StrEnum):
    LIST_LIBRARY = "list_library"
    REMOVE_PERSON = "remove_person"
    PUNCHES = "punches"
    FACE_CROPS = "face_crops"
    CLEAR_RECORDS = "clear_records"
    SET_TIME = "set_time"
    OPEN_DOOR = "open_door"
    RELOAD_CONFIG = "reload_config"
    RESYNC = "resync"
    STATUS = "status"
    DECOMMISSION = "decommission"  # withdraw the door's retained topics (Home Assistant too)


class HubCommand(StrEnum):
    ADD_FACES = "add_faces"
    REMOVE_PERSON = "remove_person"
    LIST_LIBRARY = "list_library"
    DEVICES = "devices"


class ResultStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    EXPIRED = "expired"  # arrived after its expiry: not run (a stale "open door" never runs)
    UNKNOWN_COMMAND = "unknown_command"


# MQTT 5 PUBACK reason code: the broker had nobody to give the message to. Not an error
# for us (the hub may be down); the event simply stays pending until the hub acknowledges.
NO_MATCHING_SUBSCRIBERS = 16
