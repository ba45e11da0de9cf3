"""SHA-256 hash chain over events: each event's hash covers its content and its predecessor."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from device.eventlog.model import RecordedEvent
from device.strictjson import canonical


def canonical_json(value: Any, checked: bool = False) -> str:
    """The one JSON spelling that is hashed and stored (device/strictjson.py): a payload
    with NaN, 64-bit overflow or invalid text can never reach the log. `checked`: the
    value came from strictjson.loads."""
    return canonical(value, checked)


def event_hash(
    prev_hash: bytes,
    origin: str,
    seq: int,
    type_: str,
    version: int,
    wall_time: float,
    hlc: int,
    payload_json: str,
    sealed: bytes | None,
    sealed_digest: bytes | None = None,
) -> bytes:
    """`sealed_digest` (SHA-256 of `sealed`) lets a party that never saw the sealed bytes,
    such as the hub, check the hash."""
    header = canonical_json([origin, seq, type_, version, repr(float(wall_time)), hlc])
    digest = hashlib.sha256()
    digest.update(prev_hash)
    digest.update(header.encode())
    digest.update(b"\x1f")
    digest.update(payload_json.encode())
    digest.update(b"\x1f")
    digest.update(sealed_digest if sealed_digest is not None
                  else hashlib.sha256(sealed or b"").digest())
    return digest.digest()


def hash_of(event: RecordedEvent, prev_hash: bytes) -> bytes:
    return event_hash(
        prev_hash,
        event.origin,
        event.seq,
        event.type,
        event.version,
        event.wall_time,
        event.hlc,
        event.payload_json,
        event.sealed,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_position: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_bad_position is None


def verify_chain(events: Iterable[RecordedEvent], start_hash: bytes) -> ChainReport:
    """Walk events in position order; name the first whose link or content does not hold."""
    prev = start_hash
    checked = 0
    for event in events:
        if event.prev_hash != prev:
            return ChainReport(checked, event.position, "link to the previous event is broken")
        if hash_of(event, prev) != event.hash:
            return ChainReport(checked, event.position, "content does not match its hash")
        prev = event.hash
        checked += 1
    return ChainReport(checked, None, None)
