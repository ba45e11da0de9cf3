"""Retention: compact away old records the hub has acknowledged, keeping the chain verifiable.

A checkpoint records the chain head at position P and carries forward, verbatim, the events
at or before P that still shape the device's state (its people, their samples, settings).
Everything else at or before P (punches, access decisions, alerts, door openings) is
deleted; the database's trigger allows DELETE only below a checkpoint.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import sqlalchemy as sa

from device.eventlog.sqlite import latest_checkpoint
from device.events import EventType
from device.replay import encode_carried, replay_source
from device.storage.api_tables import audit
from device.storage.db import checkpoint_wal
from device.storage.schema import (
    access_decisions,
    alerts,
    checkpoints,
    events,
    punch_corrections,
    punches,
    sync_state,
)
from device.store import EventStore

HUB_ACKED = "hub_acked_position"
_STATE_TYPES = {EventType.PERSON_ENROLLED, EventType.FACE_SAMPLE_ADDED,
                EventType.PERSON_REMOVED, EventType.SETTINGS_CHANGED,
                EventType.SHIFT_DEFINED, EventType.SHIFT_ASSIGNED}
#: State carried through a compaction whatever its age: the settings and the attendance
#: rules (a report for a period still in the log needs the rules as they stood).
_ALWAYS_CARRIED = {EventType.SETTINGS_CHANGED, EventType.SHIFT_DEFINED,
                   EventType.SHIFT_ASSIGNED}


@dataclass(frozen=True)
class CompactionResult:
    position: int
    removed: int
    audit_removed: int = 0  # rows of the HTTP API's audit trail older than the age


def hub_acked_position(connection: sa.Connection) -> int:
    return connection.execute(sa.select(sync_state.c.value)
                              .where(sync_state.c.key == HUB_ACKED)).scalar() or 0


def record_hub_acked_position(connection: sa.Connection, position: int,
                              forget_later: bool = False) -> None:
    """The one place the hub's acknowledgement reaches retention: every event at or before
    `position` is delivered. It only moves forward, unless `forget_later` (a hub that lost
    its database holds less than it once said)."""
    if position <= hub_acked_position(connection) and not forget_later:
        return
    if connection.execute(sa.update(sync_state).where(sync_state.c.key == HUB_ACKED)
                          .values(value=position)).rowcount == 0:
        connection.execute(sync_state.insert().values(key=HUB_ACKED, value=position))


def set_hub_acked_position(store: EventStore, position: int) -> None:
    """record_hub_acked_position in a transaction of its own."""
    with store.transaction() as txn:
        record_hub_acked_position(txn.connection, position)


def compact(store: EventStore, older_than_seconds: float,
            now: float | None = None) -> CompactionResult:
    now = time.time() if now is None else now
    cutoff = now - older_than_seconds
    with store.transaction() as txn:
        c = txn.connection
        # The API's audit trail is this device's own (never synced): age alone decides.
        audit_removed = c.execute(audit.delete().where(audit.c.time < cutoff)).rowcount
        previous = latest_checkpoint(c)
        floor = previous.position if previous is not None else 0
        # Age is judged on records; state events (people, settings) are carried anyway.
        first_young = c.execute(sa.select(sa.func.min(events.c.position)).where(
            events.c.type.not_in([t.value for t in _STATE_TYPES]),
            events.c.wall_time >= cutoff)).scalar()
        last = c.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0
        upto = min(hub_acked_position(c), (first_young - 1) if first_young else last)
        if upto <= floor:
            return CompactionResult(floor, 0, audit_removed)
        prefix = [e for e in replay_source(store.engine, upto=upto)]
        carried = _still_needed(prefix)
        head = c.execute(sa.select(events.c.hash, events.c.hlc)
                         .where(events.c.position == upto)).first()
        if head is None:  # floor < upto <= last: the event is stored
            raise RuntimeError(f"event {upto} is missing from the log")
        sequences = json.loads(previous.sequences) if previous is not None else {}
        for e in prefix:
            sequences[e.origin] = max(sequences.get(e.origin, 0), e.seq)
        text, sealed, state_hash = encode_carried(carried)
        c.execute(checkpoints.insert().values(
            position=upto, hash=head.hash, hlc=max(e.hlc for e in prefix), created_at=now,
            sequences=json.dumps(sequences, sort_keys=True), carried=text,
            carried_sealed=sealed, state_hash=state_hash))
        removed = c.execute(events.delete().where(events.c.position <= upto)).rowcount
        for table in (punches, punch_corrections, access_decisions, alerts):
            c.execute(table.delete().where(table.c.position <= upto))
    checkpoint_wal(store.engine)
    return CompactionResult(upto, removed, audit_removed)


def _still_needed(prefix: list) -> list:
    """Events of the prefix that rebuild the people, samples and settings alive at its end."""
    alive_since: dict[str, int] = {}
    removed: set[str] = set()
    for e in prefix:
        if e.type == EventType.PERSON_REMOVED:
            person = e.payload["person_id"]
            removed.add(person)
            alive_since[person] = e.position
        elif e.type == EventType.PERSON_ENROLLED:
            removed.discard(e.payload["person_id"])
    kept = []
    for e in prefix:
        if e.type not in _STATE_TYPES or e.type == EventType.PERSON_REMOVED:
            continue
        if e.type in _ALWAYS_CARRIED:
            kept.append(e)
            continue
        person = e.payload["person_id"]
        if person in removed or e.position < alive_since.get(person, 0):
            continue
        kept.append(e)
    return kept
