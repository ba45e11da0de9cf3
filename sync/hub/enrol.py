"""Central enrolment: photos become encodings at the hub, and reach every door as such."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from device.events import EventType
from sync.wire import WireEvent


def enrolment_changes(person_id: str, name: str, photos: Iterable[str | Path | bytes],
                      phone: str | None = None, mail: str | None = None,
                      engine_name: str | None = None) -> list[WireEvent]:
    """PersonEnrolled plus a FaceSampleAdded per sample (photo and mirror), checked as at a door.

    Raises device.errors.BadInput for a photo a door would refuse.
    """
    from device.event_payloads import FaceSampleAdded
    from device.events import CURRENT_VERSION
    from device.ids import check_id, check_name, check_optional_text
    from device.library.enrolment import samples_from_image
    from device.recognition.engines import shared_engine
    from device.recognition.face_models import DEFAULT_ENGINE

    person_id, name = check_id(person_id), check_name(name)
    phone, mail = check_optional_text(phone, "phone", 50), check_optional_text(mail, "mail")
    engine = shared_engine(engine_name or DEFAULT_ENGINE.value)
    samples = [s for photo in photos for s in samples_from_image(engine, photo)]
    changes = [WireEvent("hub", 1, EventType.PERSON_ENROLLED, 1, 0.0, 0,
                         {"person_id": person_id, "name": name, "phone": phone, "mail": mail})]
    for sample in samples:
        payload = FaceSampleAdded(person_id, uuid.uuid4().hex, engine.model_id, engine.dim,
                                  quality=round(sample.quality.sharpness, 1),
                                  mirrored=sample.mirrored, gates=sample.gates).payload()
        changes.append(WireEvent("hub", 1, EventType.FACE_SAMPLE_ADDED,
                                 CURRENT_VERSION[EventType.FACE_SAMPLE_ADDED], 0.0, 0, payload,
                                 sample.encoding, sample.crop_jpeg))
    return changes


def removal_change(person_id: str) -> WireEvent:
    from device.ids import check_id

    person_id = check_id(person_id)
    return WireEvent("hub", 1, EventType.PERSON_REMOVED, 1, 0.0, 0, {"person_id": person_id})
