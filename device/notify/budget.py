"""At most N mails per sliding window."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class MailBudget:
    def __init__(self, max_per_window: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max = max(1, max_per_window)
        self.window = window_seconds
        self.clock = clock
        self._sent: deque[float] = deque()

    def available(self) -> bool:
        now = self.clock()
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()
        return len(self._sent) < self.max

    def spend(self) -> None:
        self._sent.append(self.clock())
