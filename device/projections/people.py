"""People and their face samples (the face library)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from device import biometrics
from device.eventlog.model import RecordedEvent
from device.events import EventType, upcast
from device.projections.base import Projection, ProjectionContext
from device.storage.schema import face_samples, people


class PeopleProjection(Projection):
    name = "people"
    tables = (people,)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        c = ctx.connection
        for event in events:
            if event.type == EventType.PERSON_ENROLLED:
                p = upcast(event)
                values = dict(name=p["name"], phone=p.get("phone"), mail=p.get("mail"),
                              updated_at=event.wall_time, position=event.position)
                updated = c.execute(
                    people.update().where(people.c.person_id == p["person_id"]).values(**values)
                ).rowcount
                if not updated:
                    c.execute(people.insert().values(person_id=p["person_id"],
                                                     created_at=event.wall_time, **values))
            elif event.type == EventType.PERSON_REMOVED:
                c.execute(people.delete().where(people.c.person_id == upcast(event)["person_id"]))
            elif event.type == EventType.FACE_SAMPLE_ADDED:
                p = upcast(event)
                c.execute(people.update().where(people.c.person_id == p["person_id"])
                          .values(updated_at=event.wall_time))


class FaceSamplesProjection(Projection):
    """Decrypted encodings for the matcher; rows vanish (zeroed) when a person is removed."""

    name = "face_samples"
    tables = (face_samples,)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        c = ctx.connection
        for event in events:
            if event.type == EventType.FACE_SAMPLE_ADDED:
                p = upcast(event)
                key = biometrics.key_for(ctx.keys, p["key_id"])
                plain = (biometrics.unseal(key, event.sealed, p["sample_id"])
                         if key is not None and event.sealed else None)
                if plain is None:
                    continue  # erased (key destroyed): nothing to project
                encoding, _crop = biometrics.unpack_sample(plain)
                c.execute(sa.insert(face_samples).prefix_with("OR REPLACE").values(
                    sample_id=p["sample_id"], person_id=p["person_id"],
                    encoding=biometrics.encoding_to_blob(encoding), quality=p.get("quality", 0.0),
                    added_at=event.wall_time, position=event.position))
            elif event.type == EventType.PERSON_REMOVED:
                c.execute(face_samples.delete().where(
                    face_samples.c.person_id == upcast(event)["person_id"]))
