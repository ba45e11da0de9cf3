"""Events on the wire: JSON, with biometrics (encoding, crop) as base64 beside the payload.

On a device, biometrics are sealed under that device's own keys; on the wire they travel
open (inside TLS) and the receiver seals them again under its keys.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import numpy as np

from device.biometrics import ENCODING_DIM
from device.eventlog.model import RecordedEvent
from sync.payloads import PayloadError


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


def to_wire(event: RecordedEvent | WireEvent, encoding: np.ndarray | None = None,
            crop: bytes | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "origin": event.origin, "seq": event.seq, "type": event.type,
        "version": event.version, "wall_time": event.wall_time, "hlc": event.hlc,
        "payload": event.payload,
    }
    if encoding is not None:
        item["bio"] = {
            "encoding": base64.b64encode(np.asarray(encoding, "<f8").tobytes()).decode(),
            "crop": base64.b64encode(crop or b"").decode(),
        }
    return item


def from_wire(item: Any) -> WireEvent:
    """Validate one wire event; PayloadError names what is wrong."""
    if not isinstance(item, dict):
        raise PayloadError("an event is not a JSON object")
    try:
        origin, seq, type_ = item["origin"], item["seq"], item["type"]
        version, wall, clock, payload = (item["version"], item["wall_time"], item["hlc"],
                                         item["payload"])
    except KeyError as e:
        raise PayloadError(f"event is missing {e.args[0]!r}") from e
    if not (isinstance(origin, str) and origin and isinstance(type_, str)
            and isinstance(seq, int) and seq >= 1 and isinstance(version, int)
            and isinstance(wall, int | float) and isinstance(clock, int)
            and isinstance(payload, dict)):
        raise PayloadError(f"event {origin!r}/{seq!r} has fields of the wrong type")
    encoding = crop = None
    bio = item.get("bio")
    if bio is not None:
        try:
            raw = base64.b64decode(bio["encoding"], validate=True)
            crop = base64.b64decode(bio.get("crop", ""), validate=True)
        except (KeyError, TypeError, binascii.Error) as e:
            raise PayloadError(f"event {origin}/{seq}: damaged biometric data") from e
        if len(raw) != ENCODING_DIM * 8:
            raise PayloadError(f"event {origin}/{seq}: encoding is not {ENCODING_DIM} numbers")
        encoding = np.frombuffer(raw, "<f8").copy()
        if not np.all(np.isfinite(encoding)):
            raise PayloadError(f"event {origin}/{seq}: encoding has non-finite numbers")
    return WireEvent(origin, seq, type_, version, float(wall), clock, payload, encoding, crop)
