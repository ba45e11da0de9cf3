"""Events on the wire: JSON, with biometrics (encoding, crop) as base64 beside the payload.

On a device, biometrics are sealed under that device's own keys; on the wire they travel
open (inside TLS) and the receiver seals them again under its keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from device.event_schemas import MAX_DIM
from device.eventlog.chain import canonical_json, event_hash
from device.eventlog.model import RecordedEvent
from device.recognition.face_models import LEGACY_MODEL
from sync.payloads import PayloadError
from sync.schemas import wire_event_problem


@dataclass(frozen=True)
class ChainLink:
    """Where an event sits in its sender's hash chain: lets the hub check and anchor it."""

    position: int
    prev: bytes
    hash: bytes
    sealed_digest: bytes  # SHA-256 of the sealed bytes (of b"" when none)

    def holds_for(self, event: WireEvent, checked: bool = False) -> bool:
        """True if the event's content hashes to `hash` after `prev`. `checked`: the
        payload came from strictjson.loads (no second walk)."""
        try:
            payload_json = canonical_json(event.payload, checked)
        except ValueError:
            return False
        return event_hash(self.prev, event.origin, event.seq, event.type, event.version,
                          event.wall_time, event.hlc, payload_json, None,
                          sealed_digest=self.sealed_digest) == self.hash


@dataclass(frozen=True)
class WireEvent:
    origin: str
    seq: int
    type: str
    version: int
    wall_time: float
    hlc: int
    payload: dict[str, Any]
    encoding: np.ndarray | None = None
    crop: bytes | None = None
    chain: ChainLink | None = None
    quarantined: str | None = None  # the sender could not apply it either: refuse by seq


def to_wire(event: RecordedEvent | WireEvent, encoding: np.ndarray | None = None,
            crop: bytes | None = None, quarantined: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "origin": event.origin, "seq": event.seq, "type": event.type,
        "version": event.version, "wall_time": event.wall_time, "hlc": event.hlc,
        "payload": {} if quarantined else event.payload,
    }
    if isinstance(event, RecordedEvent):
        item["chain"] = {"position": event.position, "prev": event.prev_hash.hex(),
                         "hash": event.hash.hex(),
                         "sealed": hashlib.sha256(event.sealed or b"").hexdigest()}
    if quarantined:
        item["quarantined"] = quarantined[:200]
        return item
    if encoding is not None:
        item["bio"] = {
            "encoding": base64.b64encode(np.asarray(encoding, "<f8").tobytes()).decode(),
            "crop": base64.b64encode(crop or b"").decode(),
        }
    return item


def from_wire(item: Any) -> WireEvent:
    """Validate one wire event against its schema; PayloadError names what is wrong."""
    problem = wire_event_problem(item)
    if problem:
        raise PayloadError(f"event: {problem}")
    origin, seq, type_ = item["origin"], item["seq"], item["type"]
    version, wall, clock, payload = (item["version"], item["wall_time"], item["hlc"],
                                     item["payload"])
    chain = None
    if "chain" in item:
        link = item["chain"]
        chain = ChainLink(link["position"], bytes.fromhex(link["prev"]),
                          bytes.fromhex(link["hash"]),
                          bytes.fromhex(link.get("sealed") or hashlib.sha256(b"").hexdigest()))
    if item.get("quarantined"):
        return WireEvent(origin, seq, type_, version, float(wall), clock, payload,
                         chain=chain, quarantined=item["quarantined"])
    encoding = crop = None
    bio = item.get("bio")
    if bio is not None:
        try:
            raw = base64.b64decode(bio["encoding"], validate=True)
            crop = base64.b64decode(bio.get("crop", ""), validate=True)
        except (KeyError, TypeError, binascii.Error) as e:
            raise PayloadError(f"event {origin}/{seq}: damaged biometric data") from e
        dim = _declared_dim(payload)
        if len(raw) != dim * 8:
            raise PayloadError(f"event {origin}/{seq}: encoding is not {dim} numbers "
                               "(the dimension its sample declares)")
        encoding = np.frombuffer(raw, "<f8").copy()
        if not np.all(np.isfinite(encoding)):
            raise PayloadError(f"event {origin}/{seq}: encoding has non-finite numbers")
    return WireEvent(origin, seq, type_, version, float(wall), clock, payload, encoding, crop,
                     chain)


def _declared_dim(payload: dict[str, Any]) -> int:
    """A sample's embedding dimension: its payload's `dim` (v2), dlib's 128 before (v1)."""
    dim = payload.get("dim", LEGACY_MODEL.dim)
    if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM:
        raise PayloadError(f"a face sample declares dimension {dim!r}")
    return dim
