"""Failed logins per (user name, client address): after N within a window, a lockout."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from device.api.errors import LockedOut

MAX_TRACKED = 10_000  # keys kept in memory; the oldest are forgotten beyond this


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window_seconds: float = 300.0,
                 lockout_seconds: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.lockout = lockout_seconds
        self.clock = clock
        self._records: dict[tuple[str, str], _Record] = {}
        self._lock = threading.Lock()

    def check(self, username: str, address: str) -> None:
        """Raise LockedOut while this user name is locked for this address."""
        now = self.clock()
        with self._lock:
            record = self._records.get(_key(username, address))
            if record is not None and record.locked_until > now:
                raise _locked(username, address, record.locked_until - now)

    def failed(self, username: str, address: str) -> None:
        """Count a failure; raise LockedOut if it was one too many."""
        now = self.clock()
        with self._lock:
            key = _key(username, address)
            record = self._records.pop(key, None) or _Record()
            self._records[key] = record  # most recent last: the oldest go first
            record.failures = [t for t in record.failures if now - t < self.window] + [now]
            if len(record.failures) >= self.max_failures:
                record.failures.clear()
                record.locked_until = now + self.lockout
            while len(self._records) > MAX_TRACKED:
                del self._records[next(iter(self._records))]
            if record.locked_until > now:
                raise _locked(username, address, record.locked_until - now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._records.pop(_key(username, address), None)


def _key(username: str, address: str) -> tuple[str, str]:
    return username.casefold(), address


def _locked(username: str, address: str, seconds: float) -> LockedOut:
    return LockedOut(f"too many failed logins for {username!r} from {address}: "
                     f"locked for {max(1, round(seconds))} more seconds", seconds)
