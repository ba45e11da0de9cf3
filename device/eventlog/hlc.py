"""Hybrid logical clock: wall-clock milliseconds plus a counter, never going backwards.

Packed into one sortable integer, `(milliseconds << 16) | counter`, so it is stored and
compared as a plain SQLite INTEGER. Persisted by the log itself: the newest event's value.
"""

from __future__ import annotations

import time

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def pack(millis: int, counter: int) -> int:
    return (millis << COUNTER_BITS) | counter


def physical_ms(hlc: int) -> int:
    return hlc >> COUNTER_BITS


def to_unix(hlc: int) -> float:
    return physical_ms(hlc) / 1000.0


def next_after(last: int, now_ms: int | None = None) -> int:
    """The clock value for a new local event, given the last value the log holds."""
    if now_ms is None:
        now_ms = time.time_ns() // 1_000_000
    last_ms, last_counter = last >> COUNTER_BITS, last & COUNTER_MASK
    if now_ms > last_ms:
        return pack(now_ms, 0)
    if last_counter < COUNTER_MASK:
        return pack(last_ms, last_counter + 1)
    return pack(last_ms + 1, 0)  # counter exhausted: borrow a millisecond from the future


def merge(last: int, remote: int) -> int:
    """The local clock after receiving an event stamped `remote`."""
    return max(last, remote)
