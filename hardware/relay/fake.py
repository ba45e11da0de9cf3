"""FakeRelay: records what a real relay would have done; can be told to fail."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from hardware.relay.base import Relay


class InjectedRelayFault(OSError):
    """The failure a FakeRelay was asked to simulate."""


@dataclass(frozen=True, slots=True)
class PulseRecord:
    t: float  # monotonic time pulse() was called
    seconds: float  # requested length (after clamping)


class FakeRelay(Relay):
    """pulses: every accepted pulse() call; writes: every successful (t, energised) write;
    output: the simulated coil. fail_energise / fail_release make the next writes raise."""

    def __init__(self, *, fail_energise: int = 0, fail_release: int = 0, **options: Any) -> None:
        options.setdefault("name", "fake-relay")
        super().__init__(**options)
        self.fail_energise = 0
        self.fail_release = 0
        self.pulses: list[PulseRecord] = []
        self.writes: list[tuple[float, bool]] = []
        self.output = False
        self._record_lock = threading.Lock()
        self._initial_off()
        self.fail_energise = fail_energise
        self.fail_release = fail_release

    def pulse(self, seconds: float) -> None:
        super().pulse(seconds)
        with self._record_lock:
            self.pulses.append(PulseRecord(self._clock(), min(seconds, self.max_pulse_s)))

    def _write(self, energised: bool) -> None:
        with self._record_lock:
            if energised and self.fail_energise > 0:
                self.fail_energise -= 1
                raise InjectedRelayFault("injected fault while energising")
            if not energised and self.fail_release > 0:
                self.fail_release -= 1
                raise InjectedRelayFault("injected fault while de-energising")
            self.output = energised
            self.writes.append((self._clock(), energised))

    def _close_backend(self) -> None:
        """Nothing to release."""
