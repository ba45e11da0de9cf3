"""The agent's go-back-N window over its own events, as a pure object (tested without MQTT).

`acked` is what the hub confirmed stored; `sent_upto` how far batches went out since. On a
gap, a timeout or a reconnect the window goes back to `acked` and sends again from there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ResendWindow:
    acked: int = 0
    sent_upto: int = 0
    last_progress: float = 0.0

    def restart(self, acked: int, now: float) -> None:
        """Everything after `acked` goes again (a reconnect, a new hub, a new log instance)."""
        self.acked = self.sent_upto = acked
        self.last_progress = now

    def on_ack(self, stored_upto: int, resend_from: int | None, now: float) -> None:
        if stored_upto > self.acked:
            self.last_progress = now
        self.acked = max(self.acked, min(stored_upto, self.sent_upto))
        if resend_from is not None and resend_from - 1 < self.sent_upto:
            self.sent_upto = max(self.acked, resend_from - 1)  # the hub found a gap

    def timed_out(self, now: float, timeout: float) -> bool:
        """True (and back to `acked`) if sent events went unconfirmed for `timeout`."""
        if self.sent_upto > self.acked and now - self.last_progress > timeout:
            self.sent_upto = self.acked
            self.last_progress = now
            return True
        return False

    def has_room(self, limit: int) -> bool:
        return self.sent_upto - self.acked < limit

    def sent(self, upto: int, now: float) -> None:
        if self.sent_upto == self.acked:
            self.last_progress = now
        self.sent_upto = upto
