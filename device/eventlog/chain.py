"""SHA-256 hash chain over events: each event's hash covers its content and its predecessor."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from device.eventlog.model import RecordedEvent


def canonical_json(value: Any) -> str:
    """The one JSON spelling that is hashed and stored: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
) -> bytes:
    header = canonical_json([origin, seq, type_, version, repr(float(wall_time)), hlc])
    digest = hashlib.sha256()
    digest.update(prev_hash)
    digest.update(header.encode())
    digest.update(b"\x1f")
    digest.update(payload_json.encode())
    digest.update(b"\x1f")
    digest.update(hashlib.sha256(sealed or b"").digest())
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
