"""The admin PIN: werkzeug hash in the device settings, a lockout after repeated failures.

Qt-free. Until an administrator sets a PIN, the documented default PIN (DEFAULT_PIN) opens
the admin screens; the stored value is `admin_pin_hash` (empty = default still in force).
The failure counter lives in memory: a restart clears it, which costs an attacker a
power cycle per five guesses.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from werkzeug.security import check_password_hash, generate_password_hash

from device.errors import BadInput
from device.terminal import Terminal

DEFAULT_PIN = "123456"
MAX_FAILURES = 5
LOCKOUT_SECONDS = 60.0
PIN_LENGTHS = range(4, 9)


class PinVerdict(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class PinResult:
    verdict: PinVerdict
    attempts_left: int = 0
    locked_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict is PinVerdict.OK


class PinGate:
    def __init__(self, terminal: Terminal, clock: Callable[[], float] = time.monotonic,
                 max_failures: int = MAX_FAILURES, lockout_seconds: float = LOCKOUT_SECONDS
                 ) -> None:
        self.terminal = terminal
        self.clock = clock
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self._failures = 0
        self._locked_until = 0.0

    def locked_for(self) -> float:
        """Seconds until PINs are accepted again (0 = not locked)."""
        return max(0.0, self._locked_until - self.clock())

    @property
    def uses_default(self) -> bool:
        return not self.terminal.settings().admin_pin_hash

    def check(self, pin: str) -> PinResult:
        locked = self.locked_for()
        if locked > 0:
            return PinResult(PinVerdict.LOCKED, 0, locked)
        stored = self.terminal.settings().admin_pin_hash
        good = (check_password_hash(stored, pin) if stored
                else hmac.compare_digest(pin.encode(), DEFAULT_PIN.encode()))
        if good:
            self._failures = 0
            return PinResult(PinVerdict.OK)
        self._failures += 1
        if self._failures >= self.max_failures:
            self._failures = 0
            self._locked_until = self.clock() + self.lockout_seconds
            return PinResult(PinVerdict.LOCKED, 0, self.lockout_seconds)
        return PinResult(PinVerdict.WRONG, self.max_failures - self._failures)

    def change(self, new_pin: str) -> None:
        """Store a new PIN (digits only, 4-8 of them) as a werkzeug hash."""
        if not new_pin.isdigit() or len(new_pin) not in PIN_LENGTHS:
            raise BadInput(f"PIN: {PIN_LENGTHS.start}-{PIN_LENGTHS.stop - 1} digits")
        self.terminal.change_settings(admin_pin_hash=generate_password_hash(new_pin))
