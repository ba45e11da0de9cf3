"""The device's half of sync, without MQTT: outbox reads, ack cursor, library application.

Kept apart from the MQTT client so it is tested against a real SQLite file directly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from device import biometrics
from device.eventlog.model import RemoteEvent
from device.eventlog.sqlite import row_to_event
from device.events import EventType, upcast
from device.retention import HUB_ACKED, hub_acked_position
from device.storage.db import read_transaction
from device.storage.schema import events, face_samples, people, subject_keys, sync_state
from device.store import EventStore
from sync.checksum import library_checksum
from sync.wire import WireEvent, to_wire

HUB_ORIGIN = "hub"
ACKED_SEQ = "hub_acked_seq"
SESSION = "mqtt_session"
HUB_CONTACT = "hub_contact_at"  # unix seconds of the hub's last answer (the GUI shows it)


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

    def last_local_seq(self) -> int:
        with read_transaction(self.store.engine) as c:
            return c.execute(sa.select(sa.func.max(events.c.seq))
                             .where(events.c.origin == self.device_id)).scalar() or 0

    def pending(self, after_seq: int, limit: int) -> list[dict]:
        """Own events after `after_seq` as wire dicts, biometrics opened for the trip."""
        with read_transaction(self.store.engine) as c:
            rows = c.execute(sa.select(events).where(events.c.origin == self.device_id,
                                                     events.c.seq > after_seq)
                             .order_by(events.c.seq).limit(limit)).all()
            keys = {}
            wire = []
            for row in rows:
                event = row_to_event(row)
                encoding = crop = None
                if event.type == EventType.FACE_SAMPLE_ADDED and event.sealed:
                    payload = upcast(event)
                    key_id = payload["key_id"]
                    if key_id not in keys:
                        keys[key_id] = c.execute(sa.select(subject_keys.c.key).where(
                            subject_keys.c.key_id == key_id)).scalar()
                    plain = (biometrics.unseal(keys[key_id], event.sealed, payload["sample_id"])
                             if keys[key_id] else None)
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
            position = (next_unacked - 1) if next_unacked else head
            if position > hub_acked_position(c):
                _put(c, HUB_ACKED, position)
            return True

    def note_hub_contact(self, now: float | None = None) -> None:
        with self.store.transaction() as txn:
            _put(txn.connection, HUB_CONTACT, int(time.time() if now is None else now))

    def next_session(self) -> int:
        with self.store.transaction() as txn:
            session = _get(txn.connection, SESSION) + 1
            _put(txn.connection, SESSION, session)
            return session

    # -- library ------------------------------------------------------------------------

    def library_version(self) -> int:
        with read_transaction(self.store.engine) as c:
            return c.execute(sa.select(sa.func.max(events.c.seq))
                             .where(events.c.origin == HUB_ORIGIN)).scalar() or 0

    def apply_library(self, batch: Sequence[WireEvent]) -> int:
        """Apply hub library events once each, in order; returns how many were new.

        Stops at a gap (a sequence beyond the next expected): the caller asks for a resend.
        """
        with self.store.transaction() as txn:
            c = txn.connection
            expected = (c.execute(sa.select(sa.func.max(events.c.seq))
                                  .where(events.c.origin == HUB_ORIGIN)).scalar() or 0) + 1
            run: list[RemoteEvent] = []
            keys: dict[str, bytes] = {}
            for item in sorted(batch, key=lambda e: e.seq):
                if item.seq < expected:
                    continue  # a duplicate delivery
                if item.seq > expected:
                    break
                payload = dict(item.payload)
                sealed = None
                # (a sample erased at the hub arrives without data: kept for the sequence)
                if item.type == EventType.FACE_SAMPLE_ADDED and item.encoding is not None:
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
                run.append(_remote(item, payload, sealed))
                expected += 1
            return len(txn.append_remote(run))  # one projection pass for the whole run

    def library_state(self) -> LibraryState:
        with read_transaction(self.store.engine) as c:
            person_rows = [(r.person_id, r.name) for r in
                           c.execute(sa.select(people.c.person_id, people.c.name))]
            sample_rows = [(r.sample_id, r.person_id) for r in
                           c.execute(sa.select(face_samples.c.sample_id, face_samples.c.person_id))]
            version = c.execute(sa.select(sa.func.max(events.c.seq))
                                .where(events.c.origin == HUB_ORIGIN)).scalar() or 0
        return LibraryState(version, library_checksum(person_rows, sample_rows),
                            len(person_rows), len(sample_rows))


def _remote(item: WireEvent, payload: dict, sealed: bytes | None) -> RemoteEvent:
    return RemoteEvent(item.origin, item.seq, item.type, item.version, item.wall_time,
                       item.hlc, payload, sealed)
