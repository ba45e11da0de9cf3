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
