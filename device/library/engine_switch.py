"""Switching the face engine: every stored sample re-encoded from its face crop first.

The `face_engine` setting changes only after the library holds a sample of the new model
for every sample whose crop allows one, so a door is never half-switched: interrupted, it
keeps the engine it had, and the next switch resumes (samples re-encoded already are
skipped). A crop the new engine finds no face in is reported by sample and person.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa

from device import biometrics
from device.event_payloads import FaceSampleAdded
from device.eventlog.model import NewEvent
from device.events import EventType
from device.imaging import load_rgb
from device.recognition.engines import Engine
from device.recognition.face_models import FaceModel, model_for
from device.settings import load_settings
from device.storage.db import read_transaction
from device.storage.schema import device_meta, events, face_samples
from device.storage.schema import settings as settings_table
from device.store import EventStore

#: Samples re-encoded per transaction: an interruption loses at most this much work.
CHUNK = 64


@dataclass(frozen=True)
class Unencodable:
    sample_id: str
    person_id: str
    reason: str


@dataclass
class SwitchReport:
    target: str  # the model switched to
    reencoded: int = 0
    already: int = 0  # done by an earlier, interrupted switch
    unencodable: list[Unencodable] = field(default_factory=list)
    switched: bool = False

    @property
    def people_without_sample(self) -> int:
        return len({u.person_id for u in self.unencodable})


@dataclass(frozen=True)
class _Source:
    sample_id: str
    person_id: str
    key_id: str
    mirrored: bool
    crop_jpeg: bytes


def pending_samples(store: EventStore, target: FaceModel) -> tuple[list[sa.Row], int]:
    """Live samples of other models with no `target` sample derived from them yet (id,
    person, log position: no biometrics), and how many have one already."""
    with read_transaction(store.engine) as c:
        rows = c.execute(sa.select(face_samples.c.sample_id, face_samples.c.person_id,
                                   face_samples.c.model, face_samples.c.derived_from,
                                   face_samples.c.position)).all()
    covered = {r.derived_from for r in rows if r.model == target.model_id and r.derived_from}
    todo = [r for r in rows if r.model != target.model_id and r.derived_from is None]
    return [r for r in todo if r.sample_id not in covered], \
        sum(1 for r in todo if r.sample_id in covered)


def _sources(store: EventStore, rows: list[sa.Row], mirrors: bool) -> list[_Source]:
    """The decrypted crops of one chunk of samples, their events read in one query (a
    chunk at a time: a library's crops never sit in memory all at once). `mirrors` False:
    mirror samples are left out (an engine that averages each face with its mirror image
    needs none)."""
    by_position = {r.position: r for r in rows}
    keys: dict[str, bytes | None] = {}
    out: list[_Source] = []
    with read_transaction(store.engine) as c:
        found = c.execute(sa.select(events.c.position, events.c.payload, events.c.sealed)
                          .where(events.c.position.in_(list(by_position)))).all()
        for event in found:
            r = by_position[event.position]
            payload = json.loads(event.payload)
            if event.sealed is None or (payload.get("mirrored") and not mirrors):
                continue
            key_id = payload.get("key_id") or biometrics.person_key_id(r.person_id)
            if key_id not in keys:
                keys[key_id] = biometrics.key_for(c, key_id)
            key = keys[key_id]
            plain = biometrics.unseal(key, event.sealed, r.sample_id) if key else None
            if plain is None:
                continue
            _encoding, crop = biometrics.unpack_sample(plain)
            out.append(_Source(r.sample_id, r.person_id, key_id, bool(payload.get("mirrored")),
                               crop))
    return out


def reencode(engine: Engine, source: _Source) -> tuple[np.ndarray, float] | str:
    """The sample's encoding by `engine` from its stored crop (mirrored samples from the
    mirrored crop), or why there is none."""
    from device.recognition.engine import PHOTO_DETECT_MAX_SIDE

    try:
        rgb = load_rgb(source.crop_jpeg)
    except Exception as e:  # a damaged crop is one sample's problem
        return f"the stored crop cannot be read ({e})"
    if source.mirrored:
        rgb = np.ascontiguousarray(rgb[:, ::-1])
    faces = engine.detect(rgb, max_side=PHOTO_DETECT_MAX_SIDE)
    if not faces:
        return "no face found in the stored crop"
    face = min(faces, key=lambda f: _off_centre(rgb, f.box))  # the crop is centred on it
    return engine.encode(rgb, face), engine.quality(rgb, face).sharpness


def _off_centre(rgb: np.ndarray, box: tuple[int, int, int, int]) -> float:
    height, width = rgb.shape[:2]
    top, right, bottom, left = box
    return abs((left + right) / 2 - width / 2) + abs((top + bottom) / 2 - height / 2)


def switch_engine(store: EventStore, engine: Engine, engine_name: str,
                  progress: Callable[[int, int], None] | None = None) -> SwitchReport:
    """Re-encode what is missing for the engine's model, then set `face_engine`."""
    target = model_for(engine_name)
    if engine.model_id != target.model_id:
        raise ValueError(f"engine {engine.model_id} is not {engine_name}'s model")
    todo, already = pending_samples(store, target)
    report = SwitchReport(target.model_id, already=already)
    for start in range(0, len(todo), CHUNK):
        chunk = _sources(store, todo[start:start + CHUNK], engine.mirror_samples)
        if chunk:
            _append(store, target, [(s, reencode(engine, s)) for s in chunk], report)
        if progress:
            progress(min(start + CHUNK, len(todo)), len(todo))
    with store.transaction() as txn:
        if load_settings(txn.connection).face_engine != engine_name:
            txn.append([NewEvent(EventType.SETTINGS_CHANGED,
                                 {"values": {"face_engine": engine_name}})])
    report.switched = True
    return report


def _append(store: EventStore, target: FaceModel,
            results: list[tuple[_Source, tuple[np.ndarray, float] | str]],
            report: SwitchReport) -> None:
    with store.transaction() as txn:
        c = txn.connection
        alive = set(c.execute(sa.select(face_samples.c.sample_id).where(
            face_samples.c.sample_id.in_([s.sample_id for s, _ in results]))).scalars())
        new = []
        for source, result in results:
            if source.sample_id not in alive:
                continue  # the person was removed meanwhile
            if isinstance(result, str):
                report.unencodable.append(Unencodable(source.sample_id, source.person_id,
                                                      result))
                continue
            encoding, sharpness = result
            key = biometrics.key_for(c, source.key_id)
            if key is None:
                continue
            sample_id = uuid.uuid4().hex
            sealed = biometrics.seal(key, biometrics.pack_sample(encoding, source.crop_jpeg),
                                     sample_id)
            new.append(FaceSampleAdded(
                source.person_id, sample_id, target.model_id, target.dim, source.key_id,
                round(sharpness, 1), source.mirrored, derived_from=source.sample_id,
            ).to_event(sealed))
            report.reencoded += 1
        txn.append(new)


#: device_meta key set by migration 0003 when the log already held face samples.
LEGACY_ENGINE_KEY = "engine_of_legacy_library"


def pin_existing_engine(store: EventStore) -> None:
    """A library made before engines were a setting is dlib's: record that choice once, so
    the new default does not leave its samples unmatched (switch with `engine switch`).
    Samples that arrive later by sync do not pin anything: they name their model."""
    with read_transaction(store.engine) as c:
        legacy = c.execute(sa.select(device_meta.c.value)
                           .where(device_meta.c.key == LEGACY_ENGINE_KEY)).scalar()
        if legacy is None:
            return
        chosen = c.execute(sa.select(settings_table.c.key)
                           .where(settings_table.c.key == "face_engine")).first()
    with store.transaction() as txn:
        if chosen is None:
            txn.append([NewEvent(EventType.SETTINGS_CHANGED,
                                 {"values": {"face_engine": model_for(legacy).engine.value}})])
        txn.connection.execute(device_meta.delete().where(device_meta.c.key == LEGACY_ENGINE_KEY))
