"""The catalogue of event types, their current schema versions, and upcasters.

An event is stored with the version it was written at and upcast on read, so old logs
(and old devices' events arriving through sync) keep working after a payload changes.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from device.eventlog.model import RecordedEvent
from device.recognition.face_models import LEGACY_MODEL


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
    # Time-attendance rules and corrections (docs/attendance.md, "At the door"):
    SHIFT_DEFINED = "ShiftDefined"  # a shift's definition; a later one of a name replaces it
    SHIFT_ASSIGNED = "ShiftAssigned"  # shift(s) for a person or everyone, with dates
    PUNCH_ADDED = "PunchAdded"  # a missed punch added by an admin (a correction)
    PUNCH_VOIDED = "PunchVoided"  # a wrong punch voided by an admin; the punch stays


class PunchStatus(StrEnum):
    CHECK_IN = "in"
    CHECK_OUT = "out"


class DoorOpenReason(StrEnum):
    """A DoorOpened event's "reason": why the relay took a pulse."""

    RECOGNISED = "recognised"  # a person the door let in
    FLEET_COMMAND = "fleet command"  # open_door from the fleet (or Home Assistant's button)


class AlertKind(StrEnum):
    UNKNOWN_FACE = "unknown_face"
    SPOOF_SUSPECTED = "spoof_suspected"
    DEVICE_FAULT = "device_fault"
    STORAGE_LOW = "storage_low"
    SYNC_REJECTED = "sync_rejected"  # the hub refused one of our events (by sequence)
    LOG_RESTORED = "log_restored"  # this database is an older copy of the log
    EVENT_QUARANTINED = "event_quarantined"  # an event in the log that is not applied


#: Punches an admin may void (PunchVoided names one by origin and sequence).
PUNCH_EVENTS = frozenset({EventType.PUNCH_RECORDED, EventType.PUNCH_ADDED})

#: Events whose arrival changes the face library (the matcher's cache follows these).
LIBRARY_EVENTS = frozenset(
    {EventType.PERSON_ENROLLED, EventType.PERSON_REMOVED, EventType.FACE_SAMPLE_ADDED}
)

CURRENT_VERSION: dict[str, int] = {t.value: 1 for t in EventType}
#: v2: a face sample names its model and embedding dimension (v1 samples are dlib's).
CURRENT_VERSION[EventType.FACE_SAMPLE_ADDED] = 2

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def _sample_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "model": LEGACY_MODEL.model_id, "dim": LEGACY_MODEL.dim}


#: (type, from_version) -> function returning the payload at from_version + 1.
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    (EventType.FACE_SAMPLE_ADDED, 1): _sample_v1_to_v2,
}


def upcast(event: RecordedEvent) -> dict[str, Any]:
    """The event's payload at the current version of its type."""
    return upcast_payload(event.type, event.version, event.payload)


def upcast_payload(type_: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
    target = CURRENT_VERSION.get(type_, version)
    while version < target:
        payload = UPCASTERS[(type_, version)](payload)
        version += 1
    return payload
