"""SQLite recorder: the event log in the device database file."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from device.eventlog.model import GENESIS_HASH, ChainHead, RecordedEvent
from device.eventlog.recorder import Recorder, Transaction
from device.storage.db import read_transaction, write_transaction
from device.storage.schema import checkpoints, events

_COLUMNS = (
    events.c.position, events.c.origin, events.c.seq, events.c.type, events.c.version,
    events.c.wall_time, events.c.hlc, events.c.payload, events.c.sealed, events.c.prev_hash,
    events.c.hash,
)


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

    def head(self) -> ChainHead:
        if self._head is None:
            self._head = head_of(self.connection)
        return self._head

    def last_seq(self, origin: str) -> int:
        stored = self.connection.execute(
            sa.select(sa.func.max(events.c.seq)).where(events.c.origin == origin)
        ).scalar()
        checkpoint = latest_checkpoint(self.connection)
        compacted = json.loads(checkpoint.sequences).get(origin, 0) if checkpoint else 0
        return max(stored or 0, compacted)

    def contains(self, origin: str, seq: int) -> bool:
        found = self.connection.execute(
            sa.select(events.c.position).where(events.c.origin == origin, events.c.seq == seq)
        ).first()
        if found is not None:
            return True
        checkpoint = latest_checkpoint(self.connection)
        return checkpoint is not None and seq <= json.loads(checkpoint.sequences).get(origin, 0)

    def _store(self, event: RecordedEvent) -> RecordedEvent:
        position = self.connection.execute(
            events.insert().values(
                origin=event.origin, seq=event.seq, type=event.type, version=event.version,
                wall_time=event.wall_time, hlc=event.hlc, payload=event.payload_json,
                sealed=event.sealed, prev_hash=event.prev_hash, hash=event.hash,
            )
        ).inserted_primary_key[0]
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
