"""Versioned JSON payloads: parse strictly, fail with one line, never half-apply."""

from __future__ import annotations

from typing import Any

from device.strictjson import JsonError, compact, loads
from sync.codes import PAYLOAD_VERSION


class PayloadError(ValueError):
    """A message that is not valid JSON of the expected shape and version."""


def encode(body: dict[str, Any]) -> bytes:
    """Strict JSON: a NaN or an out-of-range integer raises here, never reaches the wire."""
    return compact({"v": PAYLOAD_VERSION, **body}).encode()


def decode(raw: bytes, required: dict[str, type | tuple[type, ...]]) -> dict[str, Any]:
    """The message as a dict, after checking its version and the types of `required` keys."""
    try:
        body = loads(raw)
    except JsonError as e:
        raise PayloadError(str(e)) from e
    if not isinstance(body, dict):
        raise PayloadError("not a JSON object")
    version = body.get("v")
    if version != PAYLOAD_VERSION:
        raise PayloadError(f"unsupported payload version {version!r} (expected {PAYLOAD_VERSION})")
    for key, kind in required.items():
        if key not in body:
            raise PayloadError(f"missing field {key!r}")
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wrong_bool = isinstance(body[key], bool) and bool not in kinds  # True is an int too
        if wrong_bool or not isinstance(body[key], kinds):
            raise PayloadError(f"field {key!r} has the wrong type")
    return body
