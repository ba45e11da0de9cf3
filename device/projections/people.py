"""People and their face samples (the face library)."""

from __future__ import annotations

from collections.abc import Sequence

from device import biometrics
from device.eventlog.model import RecordedEvent
from device.events import EventType, upcast
from device.projections.base import Projection, ProjectionContext
from device.storage.driver import driver
from device.storage.schema import face_samples, people
from device.strictjson import canonical

# Hot path (enrolment, library catch-up): constant SQL, bound parameters, sqlite3 directly.
_UPSERT_PERSON = (
    "INSERT INTO people (person_id, name, phone, mail, created_at, updated_at, position)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET name = excluded.name,"
    " phone = excluded.phone, mail = excluded.mail, updated_at = excluded.updated_at,"
    " position = excluded.position")
_TOUCH_PERSON = "UPDATE people SET updated_at = ? WHERE person_id = ?"
_DELETE_PERSON = "DELETE FROM people WHERE person_id = ?"
_UPSERT_SAMPLE = ("INSERT OR REPLACE INTO face_samples (sample_id, person_id, encoding, quality,"
                  " added_at, position, model, derived_from, photo_digest, gates)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_DELETE_SAMPLES = "DELETE FROM face_samples WHERE person_id = ?"


class PeopleProjection(Projection):
    name = "people"
    tables = (people,)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        c = driver(ctx.connection)
        for event in events:
            if event.type == EventType.PERSON_ENROLLED:
                p = upcast(event)
                c.execute(_UPSERT_PERSON, (p["person_id"], p["name"], p.get("phone"),
                                           p.get("mail"), event.wall_time, event.wall_time,
                                           event.position))
            elif event.type == EventType.PERSON_REMOVED:
                c.execute(_DELETE_PERSON, (upcast(event)["person_id"],))
            elif event.type == EventType.FACE_SAMPLE_ADDED:
                c.execute(_TOUCH_PERSON, (event.wall_time, upcast(event)["person_id"]))


class FaceSamplesProjection(Projection):
    """Decrypted encodings for the matcher; rows vanish (zeroed) when a person is removed."""

    name = "face_samples"
    tables = (face_samples,)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        c = driver(ctx.connection)
        keys: dict[str, bytes | None] = {}
        for event in events:
            if event.type == EventType.FACE_SAMPLE_ADDED:
                p = upcast(event)
                key_id = p.get("key_id")
                if key_id is None:
                    continue  # a sample erased before it reached us: no data, only its place
                if key_id not in keys:
                    keys[key_id] = biometrics.key_for(ctx.keys, key_id)
                key = keys[key_id]
                plain = (biometrics.unseal(key, event.sealed, p["sample_id"])
                         if key is not None and event.sealed else None)
                if plain is None:
                    continue  # erased (key destroyed): nothing to project
                encoding, _crop = biometrics.unpack_sample(plain)
                if encoding.shape != (p["dim"],):
                    continue  # sealed data disagrees with its payload: nothing matchable
                c.execute(_UPSERT_SAMPLE, (p["sample_id"], p["person_id"],
                                           biometrics.encoding_to_blob(encoding),
                                           p.get("quality", 0.0), event.wall_time,
                                           event.position, p["model"], p.get("derived_from"),
                                           p.get("photo_digest"), _gates_json(p)))
            elif event.type == EventType.PERSON_REMOVED:
                person_id = upcast(event)["person_id"]
                c.execute(_DELETE_SAMPLES, (person_id,))
                keys.pop(biometrics.person_key_id(person_id), None)


def _gates_json(payload: dict) -> str | None:
    gates = payload.get("gates")
    return canonical(gates) if gates else None
