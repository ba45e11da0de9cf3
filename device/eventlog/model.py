"""Event records as stored in the log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

GENESIS_HASH = b"\x00" * 32


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be appended; the recorder assigns its identity and place.

    `sealed` carries biometric bytes (encodings, face crops) already encrypted under a
    per-subject key named in the payload. It is hashed like the rest, so destroying the
    key erases the biometrics while the chain stays verifiable.
    """

    type: str
    payload: dict[str, Any]
    version: int = 1
    sealed: bytes | None = None


@dataclass(frozen=True, slots=True)
class RemoteEvent:
    """An event that originated elsewhere (the hub, another device) and keeps its id."""

    origin: str
    seq: int
    type: str
    version: int
    wall_time: float
    hlc: int
    payload: dict[str, Any]
    sealed: bytes | None = None


@dataclass(frozen=True)
class RecordedEvent:
    """An event in the log. `(origin, seq)` is its global id; `position` is local order.

    `payload_json` is the exact stored text: it is what the hash covers.
    """

    position: int
    origin: str
    seq: int
    type: str
    version: int
    wall_time: float
    hlc: int
    payload_json: str
    sealed: bytes | None
    prev_hash: bytes
    hash: bytes

    @cached_property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_json)


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where the log ends: the next event links to `hash` and must have hlc > `hlc`."""

    position: int
    hash: bytes
    hlc: int
