"""Exponential backoff shared by everything that reconnects (TOF port, camera)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DEFAULT_INITIAL_S = 0.5
DEFAULT_FACTOR = 2.0
DEFAULT_MAX_S = 30.0
DEFAULT_JITTER = 0.1


@dataclass
class Backoff:
    """Delays initial, initial*factor, ... capped at max_s, with +-jitter (a fraction).

    Jitter keeps a fleet of doors that lost power together from hammering a camera or
    broker in lockstep; tests pass jitter=0 for exact delays.
    """

    initial_s: float = DEFAULT_INITIAL_S
    factor: float = DEFAULT_FACTOR
    max_s: float = DEFAULT_MAX_S
    jitter: float = DEFAULT_JITTER
    attempts: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.initial_s <= 0 or self.max_s < self.initial_s or self.factor < 1:
            raise ValueError("backoff needs 0 < initial_s <= max_s and factor >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("backoff jitter is a fraction in [0, 1)")

    def next_delay(self) -> float:
        """The delay before the next attempt; each call counts one failed attempt."""
        delay = min(self.max_s, self.initial_s * self.factor**self.attempts)
        self.attempts += 1
        if self.jitter:
            delay *= 1 + random.uniform(-self.jitter, self.jitter)
        return delay

    def reset(self) -> None:
        """Call after a success so the next failure starts again at initial_s."""
        self.attempts = 0
