"""The catalogue of event types, their current schema versions, and upcasters.

An event is stored with the version it was written at and upcast on read, so old logs
(and old devices' events arriving through sync) keep working after a payload changes.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from device.eventlog.model import RecordedEvent


class EventType(StrEnum):
    PERSON_ENROLLED = "PersonEnrolled"
    PERSON_REMOVED = "PersonRemoved"
    FACE_SAMPLE_ADDED = "FaceSampleAdded"
    PUNCH_RECORDED = "PunchRecorded"
    ACCESS_DECIDED = "AccessDecided"
    DOOR_OPENED = "DoorOpened"
    ALERT_RAISED = "AlertRaised"
    ALERT_HANDLED = "AlertHandled"
    SETTINGS_CHANGED = "SettingsChanged"
    RECORDS_CLEARED = "RecordsCleared"
    COMMAND_RECEIVED = "CommandReceived"  # a fleet command, its result: audit and idempotency


class PunchStatus(StrEnum):
    CHECK_IN = "in"
    CHECK_OUT = "out"


class AlertKind(StrEnum):
    UNKNOWN_FACE = "unknown_face"
    SPOOF_SUSPECTED = "spoof_suspected"
    DEVICE_FAULT = "device_fault"
    STORAGE_LOW = "storage_low"
    SYNC_REJECTED = "sync_rejected"  # the hub refused one of our events (by sequence)
    LOG_RESTORED = "log_restored"  # this database is an older copy of the log
    EVENT_QUARANTINED = "event_quarantined"  # an event in the log that is not applied


#: Events whose arrival changes the face library (the matcher's cache follows these).
LIBRARY_EVENTS = frozenset(
    {EventType.PERSON_ENROLLED, EventType.PERSON_REMOVED, EventType.FACE_SAMPLE_ADDED}
)

CURRENT_VERSION: dict[str, int] = {t.value: 1 for t in EventType}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

#: (type, from_version) -> function returning the payload at from_version + 1.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcast(event: RecordedEvent) -> dict[str, Any]:
    """The event's payload at the current version of its type."""
    payload = event.payload
    version = event.version
    target = CURRENT_VERSION.get(event.type, version)
    while version < target:
        payload = UPCASTERS[(event.type, version)](payload)
        version += 1
    return payload
