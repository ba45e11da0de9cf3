"""Failed logins per (user name, client address): after N within a window, a lockout.

A login reserves an attempt *before* its password is checked (`reserve`), and settles it
after (`failed`, `succeeded`, or `release` when the check itself broke). Attempts in flight
count against the limit, so however many requests race for one user from one address, at
most `max_failures` passwords are checked before the lockout; the others are refused
without a check.

Memory stays bounded: at most `max_tracked` records of recent failures (the oldest idle
ones are forgotten first) and `max_locked` live lockouts. A lockout is never forgotten
before it expires, whatever an attacker sends: when the lockout table is full, no new
attempt is checked until one expires.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from device.api.errors import LockedOut

MAX_TRACKED = 10_000  # keys with recent failures kept in memory; the oldest idle go first
MAX_LOCKED = 10_000  # live lockouts kept; never evicted, only expired


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    pending: int = 0  # attempts whose password is being checked right now


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window_seconds: float = 300.0,
                 lockout_seconds: float = 300.0,
                 clock: Callable[[], float] = time.monotonic,
                 max_tracked: int = MAX_TRACKED, max_locked: int = MAX_LOCKED) -> None:
        self.max_failures = max(1, max_failures)
        self.window = window_seconds
        self.lockout = lockout_seconds
        self.clock = clock
        self.max_tracked = max(1, max_tracked)
        self.max_locked = max(1, max_locked)
        self._records: OrderedDict[tuple[str, str], _Record] = OrderedDict()  # oldest first
        self._locks: dict[tuple[str, str], float] = {}  # key -> locked until
        self._lock = threading.Lock()

    def check(self, username: str, address: str) -> None:
        """Raise LockedOut while this user name is locked for this address."""
        now = self.clock()
        with self._lock:
            until = self._locks.get(_key(username, address), 0.0)
            if until > now:
                raise _locked(username, address, until - now)

    def reserve(self, username: str, address: str) -> None:
        """Claim one password check, or raise LockedOut (locked, or the limit is taken by
        attempts in flight). Every successful call is settled by exactly one of
        `failed`, `succeeded` or `release`."""
        now = self.clock()
        key = _key(username, address)
        with self._lock:
            until = self._locks.get(key)
            if until is not None:
                if until > now:
                    raise _locked(username, address, until - now)
                del self._locks[key]
            record = self._records.pop(key, None)
            if record is None:
                self._make_room(now)
                record = _Record()
            self._records[key] = record  # most recent last
            record.failures = [t for t in record.failures if now - t < self.window]
            if len(record.failures) + record.pending >= self.max_failures:
                raise LockedOut(f"too many login attempts for {username!r} from {address} at "
                                "once; try again in a few seconds", 5.0)
            record.pending += 1

    def failed(self, username: str, address: str) -> None:
        """Settle a reserved attempt as a failure; raise LockedOut if it was one too many."""
        now = self.clock()
        key = _key(username, address)
        with self._lock:
            record = self._settle(key)
            record.failures = [t for t in record.failures if now - t < self.window] + [now]
            if len(record.failures) < self.max_failures:
                return
            until = max(self._locks.get(key, 0.0), now + self.lockout)
            self._locks[key] = until
            record.failures.clear()
            if not record.pending:
                del self._records[key]
        raise _locked(username, address, until - now)

    def succeeded(self, username: str, address: str) -> None:
        """Settle a reserved attempt as a success: its failures are forgotten."""
        key = _key(username, address)
        with self._lock:
            record = self._settle(key)
            record.failures.clear()
            if not record.pending:
                del self._records[key]

    def release(self, username: str, address: str) -> None:
        """Give back a reserved attempt whose check could not be made (an error)."""
        key = _key(username, address)
        with self._lock:
            record = self._settle(key)
            if not record.pending and not record.failures:
                del self._records[key]

    def tracked(self) -> tuple[int, int]:
        """(records of recent failures, live lockouts) held in memory."""
        with self._lock:
            return len(self._records), len(self._locks)

    def _settle(self, key: tuple[str, str]) -> _Record:
        record = self._records.get(key)
        if record is None:  # not reserved, or forgotten meanwhile (only idle ones are)
            self._evict_idle()
            record = self._records[key] = _Record()
        else:
            record.pending = max(0, record.pending - 1)
        return record

    def _make_room(self, now: float) -> None:
        """Room for one more record: forget the oldest idle records, never a lockout."""
        if len(self._locks) >= self.max_locked:
            for key, until in list(self._locks.items()):
                if until <= now:
                    del self._locks[key]
            if len(self._locks) >= self.max_locked:
                wait = min(self._locks.values()) - now
                raise LockedOut("too many locked-out logins on this device; try again in "
                                f"{max(1, round(wait))} seconds", wait)
        if not self._evict_idle():
            raise LockedOut("too many logins in progress on this device; try again in a few "
                            "seconds", 5.0)

    def _evict_idle(self) -> bool:
        """Forget the oldest records with no attempt in flight until one more fits."""
        while len(self._records) >= self.max_tracked:
            idle = next((k for k, r in self._records.items() if not r.pending), None)
            if idle is None:
                return False
            del self._records[idle]
        return True


def _key(username: str, address: str) -> tuple[str, str]:
    return username.casefold(), address


def _locked(username: str, address: str, seconds: float) -> LockedOut:
    return LockedOut(f"too many failed logins for {username!r} from {address}: "
                     f"locked for {max(1, round(seconds))} more seconds", seconds)
