"""`verify`: check the hash chain and rebuild every projection from scratch to compare."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from device.eventlog.chain import hash_of, verify_chain
from device.eventlog.model import GENESIS_HASH, RecordedEvent
from device.eventlog.sqlite import latest_checkpoint
from device.projections import Projector
from device.replay import carried_events, encode_carried, replay_source
from device.storage.db import read_transaction
from device.storage.schema import metadata, projection_positions
from device.store import EventStore
from device.strictjson import is_canonical


@dataclass
class VerifyReport:
    events_checked: int = 0
    first_bad_position: int | None = None
    reason: str | None = None
    projection_diffs: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.first_bad_position is None and self.reason is None and not self.projection_diffs


def verify(store: EventStore) -> VerifyReport:
    report = VerifyReport()
    with read_transaction(store.engine) as connection:
        start_hash = _check_checkpoint(connection, report)
        if report.reason is not None:
            return report
        checkpoint = latest_checkpoint(connection)
    after = checkpoint.position if checkpoint is not None else 0
    own_base = json.loads(checkpoint.sequences).get(store.device_id, 0) if checkpoint else 0
    events = _well_formed(store.recorder.iterate(after=after), store.device_id, own_base,
                          report)
    chain = verify_chain(events, start_hash)
    report.events_checked += chain.checked
    if report.reason is not None:
        return report
    if not chain.ok:
        report.first_bad_position, report.reason = chain.first_bad_position, chain.reason
        return report
    report.projection_diffs = compare_with_rebuild(store)
    return report


_FIELD_TYPES = (("position", int), ("origin", str), ("seq", int), ("type", str),
                ("version", int), ("wall_time", float), ("hlc", int), ("payload_json", str),
                ("prev_hash", bytes), ("hash", bytes))


def _well_formed(events: Iterable[RecordedEvent], device_id: str, own_base: int,
                 report: VerifyReport) -> Iterator[RecordedEvent]:
    """Events whose columns have their types, whose payload is canonical strict JSON and
    whose own sequence numbers run on without a gap; stops at the first that is not."""
    last_position = 0
    own_seq = own_base
    for event in events:
        problem = None
        for name, kind in _FIELD_TYPES:
            value = getattr(event, name)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                problem = f"column {name} holds a {type(value).__name__}, not a {kind.__name__}"
                break
        if problem is None and event.sealed is not None and not isinstance(event.sealed, bytes):
            problem = "column sealed is not bytes"
        if problem is None and not is_canonical(event.payload_json):
            problem = "its payload is not canonical strict JSON"
        if problem is None and event.position <= last_position:
            problem = "positions do not increase"
        if problem is None and event.origin == device_id:
            if event.seq != own_seq + 1:
                problem = (f"own sequence jumps from {own_seq} to {event.seq} "
                           "(an event was removed or inserted)")
            own_seq = event.seq
        if problem is not None:
            report.first_bad_position = event.position if isinstance(event.position, int) \
                else None
            report.reason = problem
            return
        last_position = event.position
        yield event


def _check_checkpoint(connection: sa.Connection, report: VerifyReport) -> bytes:
    checkpoint = latest_checkpoint(connection)
    if checkpoint is None:
        return GENESIS_HASH
    _, carried = carried_events(connection)
    _, _, state_hash = encode_carried(carried)
    if state_hash != checkpoint.state_hash:
        report.reason = f"checkpoint at position {checkpoint.position} does not match its hash"
        return checkpoint.hash
    for event in carried:
        if hash_of(event, event.prev_hash) != event.hash:
            report.first_bad_position = event.position
            report.reason = "content of a carried event does not match its hash"
            return checkpoint.hash
    report.events_checked += len(carried)
    return checkpoint.hash


def rebuild(store: EventStore) -> sa.Engine:
    """Every projection rebuilt from the log alone, in a scratch in-memory database."""
    scratch = sa.create_engine("sqlite://")
    tables = [t for p in store.projector.projections for t in p.tables] + [projection_positions]
    metadata.create_all(scratch, tables=tables)
    with read_transaction(store.engine) as keys, scratch.begin() as target:
        Projector(store.projector.projections).apply_stream(
            target, replay_source(store.engine), keys=keys)
    return scratch


def compare_with_rebuild(store: EventStore) -> dict[str, str]:
    scratch = rebuild(store)
    diffs: dict[str, str] = {}
    try:
        with read_transaction(store.engine) as live, scratch.connect() as rebuilt:
            for projection in store.projector.projections:
                for table in projection.tables:
                    a, count_a = _digest(live, table)
                    b, count_b = _digest(rebuilt, table)
                    if a != b:
                        diffs[table.name] = f"live has {count_a} rows, rebuild has {count_b}"
    finally:
        scratch.dispose()
    return diffs


def _digest(connection: sa.Connection, table: sa.Table) -> tuple[str, int]:
    digest = hashlib.sha256()
    count = 0
    query = sa.select(table).order_by(*table.primary_key.columns)
    for row in connection.execute(query):
        digest.update(repr(tuple(row)).encode())
        count += 1
    return digest.hexdigest(), count
