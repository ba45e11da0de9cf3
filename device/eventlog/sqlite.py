"""SQLite recorder: the event log in the device database file."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from device.eventlog.model import GENESIS_HASH, ChainHead, RecordedEvent
from device.eventlog.recorder import Recorder, Transaction
from device.storage.db import read_transaction, write_transaction
from device.storage.driver import driver
from device.storage.schema import checkpoints, events

_COLUMNS = (
    events.c.position, events.c.origin, events.c.seq, events.c.type, events.c.version,
    events.c.wall_time, events.c.hlc, events.c.payload, events.c.sealed, events.c.prev_hash,
    events.c.hash,
)


# Hot path: constant SQL, bound parameters, straight to sqlite3 (device/storage/driver.py).
_INSERT_EVENT = ("INSERT INTO events (origin, seq, type, version, wall_time, hlc, payload,"
                 " sealed, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_FIND_EVENT = "SELECT 1 FROM events WHERE origin = ? AND seq = ?"
_LAST_SEQ = "SELECT max(seq) FROM events WHERE origin = ?"


def row_to_event(row: sa.Row) -> RecordedEvent:
    return RecordedEvent(*row)


def head_of(connection: sa.Connection) -> ChainHead:
    last = connection.execute(
        sa.select(events.c.position, events.c.hash).order_by(events.c.position.desc()).limit(1)
    ).first()
    max_hlc = connection.execute(sa.select(sa.func.max(events.c.hlc))).scalar()
    checkpoint = latest_checkpoint(connection)
    checkpoint_hlc = checkpoint.hlc if checkpoint is not None else 0
    clock = max(max_hlc or 0, checkpoint_hlc)
    if last is not None:
        return ChainHead(last.position, last.hash, clock)
    if checkpoint is not None:
        return ChainHead(checkpoint.position, checkpoint.hash, clock)
    return ChainHead(0, GENESIS_HASH, 0)


def latest_checkpoint(connection: sa.Connection) -> sa.Row | None:
    return connection.execute(
        sa.select(checkpoints).order_by(checkpoints.c.position.desc()).limit(1)
    ).first()


class _SqliteTransaction(Transaction):
    def __init__(self, device_id: str, connection: sa.Connection) -> None:
        super().__init__(device_id)
        self.connection = connection
        self._head: ChainHead | None = None
        self._compacted: dict[str, int] | None = None

    def head(self) -> ChainHead:
        if self._head is None:
            self._head = head_of(self.connection)
        return self._head

    def _compacted_sequences(self) -> dict[str, int]:
        if self._compacted is None:
            checkpoint = latest_checkpoint(self.connection)
            self._compacted = json.loads(checkpoint.sequences) if checkpoint else {}
        return self._compacted

    def last_seq(self, origin: str) -> int:
        (stored,) = driver(self.connection).execute(_LAST_SEQ, (origin,)).fetchone()
        return max(stored or 0, self._compacted_sequences().get(origin, 0))

    def contains(self, origin: str, seq: int) -> bool:
        if driver(self.connection).execute(_FIND_EVENT, (origin, seq)).fetchone():
            return True
        return seq <= self._compacted_sequences().get(origin, 0)

    def _store(self, event: RecordedEvent) -> RecordedEvent:
        position = driver(self.connection).execute(_INSERT_EVENT, (
            event.origin, event.seq, event.type, event.version, event.wall_time, event.hlc,
            event.payload_json, event.sealed, event.prev_hash, event.hash)).lastrowid
        if position is None:  # sqlite3 sets it on every INSERT that stored a row
            raise RuntimeError("the event insert reported no row id")
        stored = RecordedEvent(position, *_fields_after_position(event))
        head = self.head()
        self._head = ChainHead(position, event.hash, max(head.hlc, event.hlc))
        return stored


def _fields_after_position(e: RecordedEvent) -> tuple:
    return (e.origin, e.seq, e.type, e.version, e.wall_time, e.hlc, e.payload_json, e.sealed,
            e.prev_hash, e.hash)


class SqliteRecorder(Recorder):
    def __init__(self, engine: sa.Engine, device_id: str) -> None:
        self.engine = engine
        self.device_id = device_id

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with write_transaction(self.engine) as connection:
            yield _SqliteTransaction(self.device_id, connection)

    def read(self, after: int = 0, limit: int | None = None,
             types: Collection[str] | None = None) -> list[RecordedEvent]:
        query = sa.select(*_COLUMNS).where(events.c.position > after)
        if types is not None:
            query = query.where(events.c.type.in_(list(types)))
        query = query.order_by(events.c.position)
        if limit is not None:
            query = query.limit(limit)
        with read_transaction(self.engine) as connection:
            return [row_to_event(row) for row in connection.execute(query)]

    def head(self) -> ChainHead:
        with read_transaction(self.engine) as connection:
            return head_of(connection)
