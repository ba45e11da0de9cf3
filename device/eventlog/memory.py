"""In-memory recorder: same contract as SQLite, for fast tests and tools."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from device.eventlog.model import GENESIS_HASH, ChainHead, RecordedEvent
from device.eventlog.recorder import Recorder, Transaction


class _MemoryTransaction(Transaction):
    def __init__(self, recorder: InMemoryRecorder) -> None:
        super().__init__(recorder.device_id)
        self._recorder = recorder
        self.pending: list[RecordedEvent] = []

    def _all(self) -> list[RecordedEvent]:
        return self._recorder._events + self.pending

    def head(self) -> ChainHead:
        events = self._all()
        if not events:
            return ChainHead(0, GENESIS_HASH, 0)
        return ChainHead(events[-1].position, events[-1].hash, max(e.hlc for e in events))

    def last_seq(self, origin: str) -> int:
        return max((e.seq for e in self._all() if e.origin == origin), default=0)

    def contains(self, origin: str, seq: int) -> bool:
        return (origin, seq) in self._recorder._ids or any(
            e.origin == origin and e.seq == seq for e in self.pending
        )

    def _store(self, event: RecordedEvent) -> RecordedEvent:
        stored = dataclasses.replace(event, position=self.head().position + 1)
        self.pending.append(stored)
        return stored


class InMemoryRecorder(Recorder):
    def __init__(self, device_id: str) -> None:
        self.device_id = device_id
        self._events: list[RecordedEvent] = []
        self._ids: set[tuple[str, int]] = set()
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._lock:
            txn = _MemoryTransaction(self)
            yield txn  # an exception here drops txn.pending: nothing is kept
            self._events.extend(txn.pending)
            self._ids.update((e.origin, e.seq) for e in txn.pending)

    def read(self, after: int = 0, limit: int | None = None,
             types: Collection[str] | None = None) -> list[RecordedEvent]:
        with self._lock:
            selected = [e for e in self._events[after:] if types is None or e.type in types]
        return selected if limit is None else selected[:limit]

    def head(self) -> ChainHead:
        with self.transaction() as txn:
            return txn.head()
