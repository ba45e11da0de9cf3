"""Central enrolment: photos become encodings at the hub, and reach every door as such."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from device.events import EventType
from sync.wire import WireEvent


def enrolment_changes(person_id: str, name: str, photos: Iterable[str | Path | bytes],
                      phone: str | None = None, mail: str | None = None) -> list[WireEvent]:
    """PersonEnrolled plus a FaceSampleAdded per sample (photo and mirror), checked as at a door.

    Raises device.errors.BadInput for a photo a door would refuse.
    """
    from device.ids import check_id, check_name, check_optional_text
    from device.library.enrolment import samples_from_image
    from device.recognition.engine import FaceEngine

    person_id, name = check_id(person_id), check_name(name)
    phone, mail = check_optional_text(phone, "phone", 50), check_optional_text(mail, "mail")
    engine = FaceEngine()
    samples = [s for photo in photos for s in samples_from_image(engine, photo)]
    changes = [WireEvent("hub", 1, EventType.PERSON_ENROLLED, 1, 0.0, 0,
                         {"person_id": person_id, "name": name, "phone": phone, "mail": mail})]
    for sample in samples:
        changes.append(WireEvent("hub", 1, EventType.FACE_SAMPLE_ADDED, 1, 0.0, 0, {
            "person_id": person_id, "sample_id": uuid.uuid4().hex,
            "quality": round(sample.quality.sharpness, 1), "mirrored": sample.mirrored,
        }, sample.encoding, sample.crop_jpeg))
    return changes


def removal_change(person_id: str) -> WireEvent:
    from device.ids import check_id

    person_id = check_id(person_id)
    return WireEvent("hub", 1, EventType.PERSON_REMOVED, 1, 0.0, 0, {"person_id": person_id})
