"""The event store: append to the log and update every projection in one transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from device import biometrics
from device.database import Database
from device.eventlog.model import NewEvent, RecordedEvent, RemoteEvent
from device.eventlog.recorder import Transaction
from device.eventlog.sqlite import head_of
from device.events import EventType
from device.projections import Projector
from device.replay import replay_source
from device.storage.db import read_transaction


class StoreTransaction:
    """What callers write through: appends are projected before the transaction commits."""

    def __init__(self, txn: Transaction, projector: Projector) -> None:
        self._txn = txn
        self._projector = projector
        self.connection: sa.Connection = txn.connection
        self.appended: list[RecordedEvent] = []

    def append(self, events: Sequence[NewEvent], now: float | None = None) -> list[RecordedEvent]:
        recorded = self._txn.append(events, now)
        self._project(recorded)
        return recorded

    def append_remote(self, events: Sequence[RemoteEvent]) -> list[RecordedEvent]:
        recorded = self._txn.append_remote(events)
        self._project(recorded)
        return recorded

    def head_position(self) -> int:
        return self._txn.head().position

    def _project(self, recorded: list[RecordedEvent]) -> None:
        self._projector.apply(self.connection, recorded)
        for event in recorded:
            if event.type == EventType.PERSON_REMOVED:  # wherever the removal came from
                biometrics.destroy_key(self.connection,
                                       biometrics.person_key_id(event.payload["person_id"]))
        self.appended.extend(recorded)


class EventStore:
    def __init__(self, database: Database, projector: Projector | None = None) -> None:
        self.database = database
        self.engine = database.engine
        self.recorder = database.recorder
        self.device_id = database.device_id
        self.projector = projector or Projector()

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        """Hold the write lock; reads inside see a state no other process can change."""
        with self.recorder.transaction() as txn:
            yield StoreTransaction(txn, self.projector)

    def append(self, events: Sequence[NewEvent], now: float | None = None) -> list[RecordedEvent]:
        with self.transaction() as txn:
            return txn.append(events, now)

    def append_remote(self, events: Sequence[RemoteEvent]) -> list[RecordedEvent]:
        with self.transaction() as txn:
            return txn.append_remote(events)

    def read(self, after: int = 0, limit: int | None = None,
             types: Collection[str] | None = None) -> list[RecordedEvent]:
        return self.recorder.read(after, limit, types)

    def _behind(self) -> bool:
        with read_transaction(self.engine) as c:
            positions = self.projector.positions(c)
            since = min((positions.get(p.name, 0) for p in self.projector.projections), default=0)
            return since < head_of(c).position

    def catch_up(self) -> None:
        """Project anything a projection has not seen (e.g. one added by a migration).

        Checked with a read first: every open of the database must not take the write lock.
        """
        if not self._behind():
            return
        with self.transaction() as txn:
            positions = self.projector.positions(txn.connection)
            since = min((positions.get(p.name, 0) for p in self.projector.projections), default=0)
            if since < txn.head_position():
                events = (e for e in replay_source(self.engine) if e.position > since)
                self.projector.apply_stream(txn.connection, events)
