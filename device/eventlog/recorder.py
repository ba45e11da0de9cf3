"""The recorder interface: what every event-log adapter (in-memory, SQLite) must do.

Both adapters pass the same contract suite (tests/eventlog/test_recorder_contract.py).
Stamping (sequence, clock, hash) is shared here so the adapters only store and load.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from device.eventlog import hlc
from device.eventlog.chain import canonical_json, event_hash
from device.eventlog.model import ChainHead, NewEvent, RecordedEvent, RemoteEvent


class Transaction(ABC):
    """One atomic unit: appends, plus (on SQLite) the projection writes that go with them."""

    #: The SQLAlchemy connection of the transaction, or None for the in-memory adapter.
    connection: Any = None

    def __init__(self, device_id: str) -> None:
        self.device_id = device_id

    @abstractmethod
    def head(self) -> ChainHead: ...

    @abstractmethod
    def last_seq(self, origin: str) -> int: ...

    @abstractmethod
    def contains(self, origin: str, seq: int) -> bool: ...

    @abstractmethod
    def _store(self, event: RecordedEvent) -> RecordedEvent:
        """Write one stamped event; return it with its position filled in."""

    def append(self, events: Sequence[NewEvent], now: float | None = None) -> list[RecordedEvent]:
        """Append local events: next sequence numbers, a clock that never goes back."""
        head = self.head()
        seq = self.last_seq(self.device_id)
        clock = head.hlc
        prev = head.hash
        recorded = []
        for new in events:
            seq += 1
            wall = time.time() if now is None else now
            clock = hlc.next_after(clock, int(wall * 1000))
            event = self._stamp(prev, self.device_id, seq, new.type, new.version, wall, clock,
                                canonical_json(new.payload), new.sealed)
            recorded.append(self._store(event))
            prev = event.hash
        return recorded

    def append_remote(self, events: Sequence[RemoteEvent]) -> list[RecordedEvent]:
        """Append events that originated elsewhere, once each: a duplicate is skipped."""
        head = self.head()
        prev = head.hash
        recorded = []
        highest: dict[str, int] = {}  # above an origin's highest sequence nothing is stored
        for remote in events:
            if remote.origin not in highest:
                highest[remote.origin] = self.last_seq(remote.origin)
            if remote.seq <= highest[remote.origin] and self.contains(remote.origin, remote.seq):
                continue
            highest[remote.origin] = max(highest[remote.origin], remote.seq)
            event = self._stamp(prev, remote.origin, remote.seq, remote.type, remote.version,
                                remote.wall_time, remote.hlc, canonical_json(remote.payload),
                                remote.sealed)
            recorded.append(self._store(event))
            prev = event.hash
        return recorded

    @staticmethod
    def _stamp(prev: bytes, origin: str, seq: int, type_: str, version: int, wall: float,
               clock: int, payload_json: str, sealed: bytes | None) -> RecordedEvent:
        digest = event_hash(prev, origin, seq, type_, version, wall, clock, payload_json, sealed)
        return RecordedEvent(0, origin, seq, type_, version, wall, clock, payload_json, sealed,
                             prev, digest)


class Recorder(ABC):
    """An append-only, hash-chained event log of one device."""

    device_id: str

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Transaction]:
        """Hold the write lock; everything done in it commits or rolls back together."""

    @abstractmethod
    def read(
        self,
        after: int = 0,
        limit: int | None = None,
        types: Collection[str] | None = None,
    ) -> list[RecordedEvent]:
        """Events with position > `after`, in position order."""

    @abstractmethod
    def head(self) -> ChainHead: ...

    def append(self, events: Sequence[NewEvent], now: float | None = None) -> list[RecordedEvent]:
        with self.transaction() as txn:
            return txn.append(events, now)

    def append_remote(self, events: Sequence[RemoteEvent]) -> list[RecordedEvent]:
        with self.transaction() as txn:
            return txn.append_remote(events)

    def iterate(self, after: int = 0, batch: int = 5000,
                types: Collection[str] | None = None) -> Iterator[RecordedEvent]:
        """All events after `after`, read in batches so a large log does not fill memory."""
        while True:
            chunk = self.read(after, limit=batch, types=types)
            yield from chunk
            if len(chunk) < batch:
                return
            after = chunk[-1].position
