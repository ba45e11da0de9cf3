"""Typed payloads: one frozen dataclass per event payload that code builds or reads often.

`to_event` writes the payload at its type's current version; `of` reads a recorded (or
wire) payload after upcasting. The JSON Schemas in device/event_schemas.py stay the
boundary check; these give the layers above names instead of string-keyed dicts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from device.eventlog.model import NewEvent
from device.events import CURRENT_VERSION, EventType


@dataclass(frozen=True)
class FaceSampleAdded:
    """One face sample: its encoding and crop travel sealed next to the payload."""

    person_id: str
    sample_id: str
    model: str  # device.recognition.face_models: the matcher compares like with like
    dim: int
    key_id: str | None = None  # None once erased before it reached this log
    quality: float = 0.0  # sharpness on the aligned face (the gate's score)
    mirrored: bool = False
    derived_from: str | None = None  # re-encoded by another model from this sample's crop
    photo_digest: str | None = None  # SHA-256 prefix of the photo: the same one is skipped
    gates: dict[str, float] = field(default_factory=dict)  # each enrolment gate's score

    TYPE = EventType.FACE_SAMPLE_ADDED

    def payload(self) -> dict[str, Any]:
        body = dataclasses.asdict(self)
        return {k: v for k, v in body.items()
                if not (v is None or (k == "gates" and not v))}

    def to_event(self, sealed: bytes | None) -> NewEvent:
        return NewEvent(self.TYPE, self.payload(), CURRENT_VERSION[self.TYPE], sealed)

    @classmethod
    def of(cls, payload: dict[str, Any]) -> FaceSampleAdded:
        """From an upcast payload (unknown keys are ignored: a newer door may add some)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in payload.items() if k in names})


def _known_fields(cls: type, payload: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in payload.items() if k in names}


@dataclass(frozen=True)
class ShiftDefined:
    """A shift's definition (device.timekeeping.Shift.as_payload's fields) and who set it.
    A later definition of the same name replaces it from the day it was made on."""

    name: str
    start: str  # HH:MM
    end: str
    overnight: bool
    late_grace_minutes: int
    early_grace_minutes: int
    breaks: list[str]  # "12:00-13:00"
    days: str  # "mon-fri"
    by: str

    TYPE = EventType.SHIFT_DEFINED

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_event(self) -> NewEvent:
        return NewEvent(self.TYPE, self.payload(), CURRENT_VERSION[self.TYPE])

    def shift_fields(self) -> dict[str, Any]:
        """What device.timekeeping.Shift.from_payload reads."""
        return {k: v for k, v in self.payload().items() if k != "by"}

    @classmethod
    def of(cls, payload: dict[str, Any]) -> ShiftDefined:
        return cls(**_known_fields(cls, payload))


@dataclass(frozen=True)
class ShiftAssigned:
    """Shift(s) for a person, a group or everyone from a date to a date (None: open), as
    device.timekeeping.Assignment.as_payload spells them, and who assigned them."""

    shifts: list[str]
    person_id: str | None
    group_id: str | None
    everyone: bool
    start: str | None  # YYYY-MM-DD; "from" in the payload
    end: str | None  # "to" in the payload
    kind: str  # "regular" | "temporary"
    by: str

    TYPE = EventType.SHIFT_ASSIGNED

    def payload(self) -> dict[str, Any]:
        return {"shifts": list(self.shifts), "person_id": self.person_id,
                "group_id": self.group_id, "everyone": self.everyone, "from": self.start,
                "to": self.end, "kind": self.kind, "by": self.by}

    def to_event(self) -> NewEvent:
        return NewEvent(self.TYPE, self.payload(), CURRENT_VERSION[self.TYPE])

    def assignment_fields(self) -> dict[str, Any]:
        """What device.timekeeping.Assignment.from_payload reads."""
        return {k: v for k, v in self.payload().items() if k != "by"}

    @classmethod
    def of(cls, payload: dict[str, Any]) -> ShiftAssigned:
        return cls(list(payload["shifts"]), payload.get("person_id"), payload.get("group_id"),
                   bool(payload.get("everyone")), payload.get("from"), payload.get("to"),
                   payload.get("kind", "regular"), payload.get("by", ""))


@dataclass(frozen=True)
class PunchAdded:
    """A missed punch an admin added (补卡): who, when (UTC epoch seconds), in/out or None
    (unknown: the rules infer it), why and by whom."""

    person_id: str
    name: str
    time: float
    status: str | None
    reason: str
    by: str

    TYPE = EventType.PUNCH_ADDED

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_event(self) -> NewEvent:
        return NewEvent(self.TYPE, self.payload(), CURRENT_VERSION[self.TYPE])

    @classmethod
    def of(cls, payload: dict[str, Any]) -> PunchAdded:
        return cls(**_known_fields(cls, payload))


@dataclass(frozen=True)
class PunchVoided:
    """A punch (PunchRecorded or PunchAdded, by its origin and sequence) an admin voided:
    it stays in the log and in the punch list; reports ignore it and mark its day."""

    origin: str
    seq: int
    person_id: str
    reason: str
    by: str

    TYPE = EventType.PUNCH_VOIDED

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_event(self) -> NewEvent:
        return NewEvent(self.TYPE, self.payload(), CURRENT_VERSION[self.TYPE])

    @classmethod
    def of(cls, payload: dict[str, Any]) -> PunchVoided:
        return cls(**_known_fields(cls, payload))
