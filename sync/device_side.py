"""The device's half of sync, without MQTT: outbox reads, ack cursor, library application.

Kept apart from the MQTT client so it is tested against a real SQLite file directly.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from device import biometrics, incarnation
from device.attendance import alert_event
from device.event_schemas import event_problem, payload_problem
from device.eventlog.model import NewEvent, RecordedEvent, RemoteEvent
from device.eventlog.sqlite import latest_checkpoint, row_to_event
from device.events import AlertKind, EventType, upcast, upcast_payload
from device.follower import LogFollower
from device.incarnation import Incarnation
from device.queries import name_of
from device.recognition.face_models import known_model
from device.retention import record_hub_acked_position
from device.storage.db import ERASURE_PATIENCE_S, checkpoint_wal, read_transaction
from device.storage.schema import (
    alerts,
    device_meta,
    events,
    face_samples,
    people,
    subject_keys,
    sync_state,
)
from device.store import EventStore, StoreTransaction
from device.sync_keys import (
    ACKED_SEQ,
    HUB_CONTACT,
    HUB_DB,
    HUB_ORIGIN,
    INTEGRATION_POSITION,
    LIBRARY_ORIGIN,
    REJECTED,
    SESSION,
)
from sync.checksum import library_checksum
from sync.integrations import PUBLISHED_TYPES
from sync.wire import WireEvent, to_wire

log = logging.getLogger("facegate.agent")



@dataclass(frozen=True)
class LibraryState:
    version: int  # the last hub library sequence applied
    checksum: str
    people: int
    samples: int


def _get(connection: sa.Connection, key: str) -> int:
    return connection.execute(sa.select(sync_state.c.value)
                              .where(sync_state.c.key == key)).scalar() or 0


def _put(connection: sa.Connection, key: str, value: int) -> None:
    if connection.execute(sa.update(sync_state).where(sync_state.c.key == key)
                          .values(value=value)).rowcount == 0:
        connection.execute(sync_state.insert().values(key=key, value=value))


class DeviceSync:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.device_id = store.device_id

    # -- outbox -------------------------------------------------------------------------

    def acked_seq(self) -> int:
        with read_transaction(self.store.engine) as c:
            return _get(c, ACKED_SEQ)

    def own_head(self) -> dict | None:
        """The last own event's place in the chain, for the status (the hub compares it
        with what it acknowledged)."""
        with read_transaction(self.store.engine) as c:
            row = c.execute(sa.select(events.c.position, events.c.seq, events.c.hash)
                            .where(events.c.origin == self.device_id)
                            .order_by(events.c.seq.desc()).limit(1)).first()
        if row is None:
            return None
        return {"position": row.position, "seq": row.seq, "hash": row.hash.hex()}

    def last_local_seq(self) -> int:
        with read_transaction(self.store.engine) as c:
            return c.execute(sa.select(sa.func.max(events.c.seq))
                             .where(events.c.origin == self.device_id)).scalar() or 0

    def incarnation(self) -> Incarnation:
        with read_transaction(self.store.engine) as c:
            current = incarnation.read(c)
        if current is not None:
            return current
        with self.store.transaction() as txn:
            return incarnation.ensure(txn.connection)

    def batch_header(self) -> dict:
        """Who is sending: the device, its log instance, and the own sequences it no longer
        holds (an earlier instance's, or compacted after the hub acknowledged them)."""
        inc = self.incarnation()
        with read_transaction(self.store.engine) as c:
            checkpoint = latest_checkpoint(c)
        compacted = json.loads(checkpoint.sequences).get(self.device_id, 0) if checkpoint else 0
        return {"device": self.device_id, "incarnation": inc.id,
                "base": max(inc.base, compacted)}

    def pending(self, after_seq: int, limit: int) -> list[dict]:
        """Own events after `after_seq` as wire dicts, biometrics opened for the trip.

        An event this build cannot apply (an old log's NaN, a bad id) goes as quarantined:
        the hub refuses it by sequence and the queue moves on.
        """
        after_seq = max(after_seq, self.incarnation().base)
        with read_transaction(self.store.engine) as c:
            rows = c.execute(sa.select(events).where(events.c.origin == self.device_id,
                                                     events.c.seq > after_seq)
                             .order_by(events.c.seq).limit(limit)).all()
            keys: dict[str, bytes | None] = {}
            wire = []
            for row in rows:
                event = row_to_event(row)
                problem = event_problem(event)  # (NaN and the like included)
                if problem is not None:
                    wire.append(to_wire(event, quarantined=problem))
                    continue
                encoding = crop = None
                if event.type == EventType.FACE_SAMPLE_ADDED and event.sealed:
                    payload = upcast(event)
                    key_id = payload.get("key_id")
                    if key_id is not None and key_id not in keys:
                        keys[key_id] = c.execute(sa.select(subject_keys.c.key).where(
                            subject_keys.c.key_id == key_id)).scalar()
                    key = keys.get(key_id) if key_id is not None else None
                    plain = biometrics.unseal(key, event.sealed, payload["sample_id"]) \
                        if key else None
                    if plain is not None:
                        encoding, crop = biometrics.unpack_sample(plain)
                wire.append(to_wire(event, encoding, crop))
            return wire

    def record_ack(self, stored_upto: int) -> bool:
        """The hub stored every event up to this sequence; True if that is news."""
        with self.store.transaction() as txn:
            c = txn.connection
            if stored_upto <= _get(c, ACKED_SEQ):
                return False
            last = c.execute(sa.select(sa.func.max(events.c.seq))
                             .where(events.c.origin == self.device_id)).scalar() or 0
            stored_upto = min(stored_upto, last)  # never believe more than we have sent
            _put(c, ACKED_SEQ, stored_upto)
            # For retention: every own event at or before this position is delivered.
            next_unacked = c.execute(sa.select(sa.func.min(events.c.position)).where(
                events.c.origin == self.device_id, events.c.seq > stored_upto)).scalar()
            head = c.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0
            record_hub_acked_position(c, (next_unacked - 1) if next_unacked else head)
            return True

    def hub_database_changed(self, hub_db: str) -> str | None:
        """Remember which hub database acknowledges us: None if it is the one we know,
        "first" for our first hub, "changed" for another one (a replaced hub, or one that
        lost its database: it must get everything again)."""
        with self.store.transaction() as txn:
            c = txn.connection
            known = c.execute(sa.select(device_meta.c.value)
                              .where(device_meta.c.key == HUB_DB)).scalar()
            if known == hub_db:
                return None
            if known is None:
                c.execute(device_meta.insert().values(key=HUB_DB, value=hub_db))
                return "first"
            c.execute(sa.update(device_meta).where(device_meta.c.key == HUB_DB)
                      .values(value=hub_db))
            return "changed"

    def restart_for_new_hub(self) -> Incarnation:
        """Everything the log still holds goes again, as a new log instance: the new hub
        database stores it once (what it may hold already is recognised by its hash)."""
        with self.store.transaction() as txn:
            c = txn.connection
            checkpoint = latest_checkpoint(c)
            held_from = json.loads(checkpoint.sequences).get(self.device_id, 0) \
                if checkpoint else 0
            new = incarnation.start_new(c, base=held_from)
            _put(c, ACKED_SEQ, held_from)
            record_hub_acked_position(c, checkpoint.position if checkpoint else 0,
                                      forget_later=True)
            offered = self._offer_library_again(txn)
        log.info("a new hub database: sending every event this log holds (from seq %d) as "
                 "log instance %s, with %d library events the hub had sent us", held_from + 1,
                 new.id[:8], offered)
        return new

    def _offer_library_again(self, txn: StoreTransaction) -> int:
        """People the lost hub had sent us (enrolled centrally, or at other doors) go back
        as our own events, so the new hub's library holds everyone this door knows. The
        copies change nothing here: the projections apply them as they stand."""
        c = txn.connection
        alive_people = set(c.execute(sa.select(people.c.person_id)).scalars())
        alive_samples = set(c.execute(sa.select(face_samples.c.sample_id)).scalars())
        rows = c.execute(sa.select(events).where(
            events.c.origin != self.device_id,
            events.c.type.in_([EventType.PERSON_ENROLLED.value,
                               EventType.FACE_SAMPLE_ADDED.value]))
            .order_by(events.c.position)).all()
        copies = []
        for row in rows:
            event = row_to_event(row)
            if not event.origin.startswith(HUB_ORIGIN) or event_problem(event) is not None:
                continue
            payload = upcast(event)
            if payload["person_id"] not in alive_people:
                continue
            if event.type == EventType.FACE_SAMPLE_ADDED and (
                    payload["sample_id"] not in alive_samples or not event.sealed):
                continue
            copies.append(NewEvent(event.type, payload, event.version, event.sealed))
        if copies:
            txn.append(copies)
        return len(copies)

    def record_rejections(self, rejected: Sequence[tuple[int, str]]) -> int:
        """Own events the hub refused: each raises one alert and is counted, once."""
        if not rejected:
            return 0
        new = 0
        inc = self.incarnation()
        with self.store.transaction() as txn:
            c = txn.connection
            for seq, reason in rejected:
                alert_id = f"sync-rejected:{inc.id[:8]}:{seq}"
                if c.execute(sa.select(alerts.c.alert_id)
                             .where(alerts.c.alert_id == alert_id)).first():
                    continue
                txn.append([alert_event(c, alert_id, AlertKind.SYNC_REJECTED,
                                        f"the hub refused event {seq}: {reason[:200]}", None)])
                new += 1
            if new:
                _put(c, REJECTED, _get(c, REJECTED) + new)
        return new

    def rejected_count(self) -> int:
        with read_transaction(self.store.engine) as c:
            return _get(c, REJECTED)

    def restored_from_backup(self, hub_upto: int, rewritten: bool = False
                             ) -> Incarnation | None:
        """If the hub holds more of this log instance than the log has, or the same sequence
        with other content, this database is an older copy: continue as a new instance
        after the last event the hub acknowledged to it (what the two share is recognised
        by its chain hash and stored once). None otherwise."""
        with self.store.transaction() as txn:
            c = txn.connection
            last = c.execute(sa.select(sa.func.max(events.c.seq))
                             .where(events.c.origin == self.device_id)).scalar() or 0
            checkpoint = latest_checkpoint(c)
            if checkpoint is not None:
                last = max(last, json.loads(checkpoint.sequences).get(self.device_id, 0))
            if hub_upto <= last and not rewritten:
                return None
            base = max(_get(c, ACKED_SEQ), incarnation.ensure(c).base)
            new = incarnation.start_new(c, base=base)
            txn.append([alert_event(c, uuid.uuid4().hex, AlertKind.LOG_RESTORED,
                                    f"this log is an older copy: the hub holds {hub_upto} "
                                    f"events of it, the log {last}; continuing as a new "
                                    "log instance", None)])
        log.warning("the hub holds %d events of this log, the log %d: restored from a backup; "
                    "continuing as log instance %s", hub_upto, last, new.id[:8])
        return new

    def note_hub_contact(self, now: float | None = None) -> None:
        with self.store.transaction() as txn:
            _put(txn.connection, HUB_CONTACT, int(time.time() if now is None else now))

    def next_session(self) -> int:
        with self.store.transaction() as txn:
            session = _get(txn.connection, SESSION) + 1
            _put(txn.connection, SESSION, session)
            return session

    # -- integrations (punch and access topics) -----------------------------------------

    def integration_events(self, limit: int) -> tuple[list[RecordedEvent], int]:
        """Own punch and access events after the position published last, and the position
        to record once they are out; a door that never published starts from its current
        head (integrators get what happens from now on)."""
        with read_transaction(self.store.engine) as c:
            known = c.execute(sa.select(sync_state.c.value)
                              .where(sync_state.c.key == INTEGRATION_POSITION)).scalar()
        follower = LogFollower(self.store.engine, [t.value for t in PUBLISHED_TYPES],
                               position=known)
        if known is None:
            self.set_integration_position(follower.position)
            return [], follower.position
        batch = follower.pull(limit)
        return [e for e in batch if e.origin == self.store.device_id
                and event_problem(e) is None], follower.position

    def integration_position(self) -> int:
        with read_transaction(self.store.engine) as c:
            return _get(c, INTEGRATION_POSITION)

    def set_integration_position(self, position: int) -> None:
        with self.store.transaction() as txn:
            _put(txn.connection, INTEGRATION_POSITION, position)

    def names_of(self, person_ids: set[Any]) -> dict[str, str]:
        found = {p: name_of(self.store.engine, p) for p in person_ids if isinstance(p, str)}
        return {p: name for p, name in found.items() if name is not None}

    # -- library ------------------------------------------------------------------------

    def library_origin(self, c: sa.Connection) -> str:
        return c.execute(sa.select(device_meta.c.value)
                         .where(device_meta.c.key == LIBRARY_ORIGIN)).scalar() or HUB_ORIGIN

    def library_version(self) -> int:
        with read_transaction(self.store.engine) as c:
            return c.execute(sa.select(sa.func.max(events.c.seq))
                             .where(events.c.origin == self.library_origin(c))).scalar() or 0

    def apply_library(self, batch: Sequence[WireEvent]) -> int:
        """Apply hub library events once each, in order; returns how many were new.

        Stops at a gap (a sequence beyond the next expected): the caller asks for a resend.
        Events of another hub database (a replaced hub) start a new sequence to follow: its
        people are applied again over ours (the projections are idempotent).
        """
        if not batch:
            return 0
        with self.store.transaction() as txn:
            c = txn.connection
            origin = self.library_origin(c)
            newest = max(batch, key=lambda e: e.seq).origin
            if newest != origin and newest.startswith(HUB_ORIGIN):
                log.info("following the library of hub database %s", newest)
                if c.execute(sa.update(device_meta).where(device_meta.c.key == LIBRARY_ORIGIN)
                             .values(value=newest)).rowcount == 0:
                    c.execute(device_meta.insert().values(key=LIBRARY_ORIGIN, value=newest))
                origin = newest
            batch = [e for e in batch if e.origin == origin]
            expected = (c.execute(sa.select(sa.func.max(events.c.seq))
                                  .where(events.c.origin == origin)).scalar() or 0) + 1
            run: list[RemoteEvent] = []
            keys: dict[str, bytes] = {}
            removed = False
            for item in sorted(batch, key=lambda e: e.seq):
                if item.seq < expected:
                    continue  # a duplicate delivery
                if item.seq > expected:
                    break
                payload = dict(item.payload)
                sealed = None
                problem = payload_problem(item.type, item.version, payload)
                if problem is not None:  # kept for the sequence; the projections quarantine it
                    log.warning("library event %d from the hub not applied: %s", item.seq,
                                problem)
                # (a sample erased at the hub arrives without data: kept for the sequence)
                elif item.type == EventType.FACE_SAMPLE_ADDED and item.encoding is not None:
                    _say_if_foreign_model(item.version, payload)
                    key_id = biometrics.person_key_id(payload["person_id"])
                    if key_id not in keys:
                        key = biometrics.key_for(c, key_id, create=True)
                        assert key is not None
                        keys[key_id] = key
                    payload["key_id"] = key_id
                    sealed = biometrics.seal(keys[key_id], biometrics.pack_sample(
                        item.encoding, item.crop or b""), payload["sample_id"])
                elif item.type == EventType.PERSON_REMOVED:
                    keys.pop(biometrics.person_key_id(payload["person_id"]), None)
                    removed = True
                run.append(_remote(item, payload, sealed))
                expected += 1
            applied = len(txn.append_remote(run))  # one projection pass for the whole run
        if removed:  # erased here as where it happened: the WAL must not keep the pages
            checkpoint_wal(self.store.engine, ERASURE_PATIENCE_S)
        return applied

    def library_state(self) -> LibraryState:
        with read_transaction(self.store.engine) as c:
            person_rows = [(r.person_id, r.name) for r in
                           c.execute(sa.select(people.c.person_id, people.c.name))]
            sample_rows = [(r.sample_id, r.person_id) for r in
                           c.execute(sa.select(face_samples.c.sample_id, face_samples.c.person_id))]
            version = c.execute(sa.select(sa.func.max(events.c.seq))
                                .where(events.c.origin == self.library_origin(c))
                                ).scalar() or 0
        return LibraryState(version, library_checksum(person_rows, sample_rows),
                            len(person_rows), len(sample_rows))


def _remote(item: WireEvent, payload: dict, sealed: bytes | None) -> RemoteEvent:
    return RemoteEvent(item.origin, item.seq, item.type, item.version, item.wall_time,
                       item.hlc, payload, sealed)


def _say_if_foreign_model(version: int, payload: dict[str, Any]) -> None:
    """A sample of a model this FaceGate does not know is kept (for the sequence, and for
    a later version) but never matched: say so once per sample, in one line."""
    model = upcast_payload(EventType.FACE_SAMPLE_ADDED, version, payload).get("model")
    if isinstance(model, str) and known_model(model) is None:
        log.warning("library sample %s of %s is of model %r, which this door cannot "
                    "run: kept, not matched", payload.get("sample_id"),
                    payload.get("person_id"), model[:64])
