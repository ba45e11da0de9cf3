"""Strict JSON at every boundary and in the log: what comes in (MQTT, HTTP, CLI, files) is
decoded here, and the one spelling that is stored and hashed is written here.

Refused everywhere, with one line: NaN and infinities (also `1e400`, which Python would read
as infinity), integers outside SQLite's and PostgreSQL's 64 bits, text that is not valid
Unicode (lone surrogates) or holds NUL, duplicate keys, nesting deeper than `MAX_DEPTH`
and documents larger than the caller's limit.
"""

from __future__ import annotations

import json
import math
from typing import Any

from device.errors import BadInput

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 32
DEFAULT_MAX_BYTES = 16 * 2**20


class JsonError(BadInput):
    """A document that is not strict JSON as FaceGate accepts it."""


def _reject_constant(name: str) -> Any:
    raise JsonError(f"{name} is not a number FaceGate accepts")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonError(f"{text[:20]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text) > 20:
        raise JsonError("an integer is out of range (64 bits)")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise JsonError("an integer is out of range (64 bits)")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise JsonError("an object has the same key twice")
    return result


def loads(raw: bytes | bytearray | str, max_bytes: int = DEFAULT_MAX_BYTES,
          max_depth: int = MAX_DEPTH) -> Any:
    """The decoded document, or JsonError naming the first problem."""
    if len(raw) > max_bytes:
        raise JsonError(f"the document is larger than {max_bytes} bytes")
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as e:
            raise JsonError("the document is not UTF-8") from e
    try:
        value = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float,
                           parse_int=_bounded_int, object_pairs_hook=_unique_keys)
    except JsonError:
        raise
    except RecursionError as e:
        raise JsonError(f"the document is nested deeper than {max_depth} levels") from e
    except ValueError as e:  # JSONDecodeError is one
        raise JsonError(f"not JSON: {e}") from e
    check_value(value, max_depth)
    return value


def check_value(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Walk a decoded (or about to be encoded) value: depth, text, numbers."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise JsonError(f"the document is nested deeper than {max_depth} levels")
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                raise JsonError("an integer is out of range (64 bits)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise JsonError("a number is not finite")
        elif isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise JsonError("an object key is not text")
                check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)
        else:
            raise JsonError(f"a {type(item).__name__} is not a JSON value")


def check_text(text: str) -> None:
    if "\x00" in text:
        raise JsonError("text holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise JsonError("text is not valid Unicode (a lone surrogate)") from e


def canonical(value: Any, checked: bool = False) -> str:
    """The one JSON spelling that is hashed and stored: sorted keys, no spaces, UTF-8.

    Refuses what `loads` would refuse, so nothing written can fail to read back.
    `checked`: the value came from `loads` (already walked).
    """
    if not checked:
        check_value(value)
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except (TypeError, ValueError) as e:
        raise JsonError(f"not storable as JSON: {e}") from e


def compact(value: Any) -> str:
    """A wire spelling (key order kept), with the same refusals as `canonical`."""
    check_value(value)
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise JsonError(f"not sendable as JSON: {e}") from e


def is_canonical(text: str) -> bool:
    """True if `text` is strict JSON spelled exactly as `canonical` would spell it."""
    try:
        return canonical(loads(text)) == text
    except JsonError:
        return False
