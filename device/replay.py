"""The whole history as far as the device still holds it: checkpoint, then the live log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence

import sqlalchemy as sa

from device.eventlog.model import RecordedEvent
from device.eventlog.sqlite import latest_checkpoint, row_to_event
from device.storage.db import read_transaction
from device.storage.schema import events

BATCH = 5000


def encode_carried(carried: Sequence[RecordedEvent]) -> tuple[str, bytes, bytes]:
    """Checkpoint state: events kept from the compacted prefix, and the hash over them."""
    sealed = bytearray()
    items = []
    for e in carried:
        offset, length = len(sealed), len(e.sealed or b"")
        sealed += e.sealed or b""
        items.append([e.position, e.origin, e.seq, e.type, e.version, e.wall_time, e.hlc,
                      e.payload_json, e.prev_hash.hex(), e.hash.hex(),
                      offset, length if e.sealed is not None else -1])
    text = json.dumps(items, separators=(",", ":"), ensure_ascii=False)
    state_hash = hashlib.sha256(text.encode() + b"\x1f" + bytes(sealed)).digest()
    return text, bytes(sealed), state_hash


def decode_carried(text: str, sealed: bytes) -> list[RecordedEvent]:
    result = []
    for item in json.loads(text):
        (position, origin, seq, type_, version, wall, clock, payload_json,
         prev_hex, hash_hex, offset, length) = item
        blob = None if length < 0 else sealed[offset:offset + length]
        result.append(RecordedEvent(position, origin, seq, type_, version, wall, clock,
                                    payload_json, blob, bytes.fromhex(prev_hex),
                                    bytes.fromhex(hash_hex)))
    return result


def carried_events(connection: sa.Connection) -> tuple[int, list[RecordedEvent]]:
    checkpoint = latest_checkpoint(connection)
    if checkpoint is None:
        return 0, []
    return checkpoint.position, decode_carried(checkpoint.carried, checkpoint.carried_sealed)


def replay_source(engine: sa.Engine, upto: int | None = None) -> Iterator[RecordedEvent]:
    """Carried events of the latest checkpoint, then every live event (up to `upto`)."""
    with read_transaction(engine) as connection:
        start, carried = carried_events(connection)
        yield from carried
        after = start
        while True:
            query = sa.select(events).where(events.c.position > after)
            if upto is not None:
                query = query.where(events.c.position <= upto)
            rows = connection.execute(query.order_by(events.c.position).limit(BATCH)).all()
            for row in rows:
                yield row_to_event(row)
            if len(rows) < BATCH:
                return
            after = rows[-1].position
