"""The alert mailer: follows AlertRaised events in the log on its own thread and mails them.

It never blocks recognition: the door loop only appends events; this thread reads them
afterwards (WAL readers do not wait for writers) and talks to the mail server. A burst of
alerts gets `max_per_window` mails, then one digest of the rest once the window allows.
Its position is stored after every mail, so a restart neither resends nor skips.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from device.errors import NotFound
from device.eventlog.model import RecordedEvent
from device.events import EventType, upcast
from device.follower import LogFollower
from device.notify.budget import MailBudget
from device.notify.config import MailConfig
from device.notify.message import AlertNotice, alert_message, digest_message
from device.notify.sender import MailError, SmtpSender
from device.notify.state import MailerState, load_state, save_state
from device.terminal import Terminal

_ALERTS = [EventType.ALERT_RAISED.value]

log = logging.getLogger("facegate.notify")

STATE_NAME = "mail"
BATCH = 200
MAX_BACKOFF_SECONDS = 300.0


class AlertMailer:
    def __init__(self, terminal: Terminal, config: MailConfig, sender: SmtpSender | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.terminal = terminal
        self.config = config
        self.sender = sender or SmtpSender(config)
        self.budget = MailBudget(config.max_per_window, config.window_seconds, clock)
        self.sent = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the thread -------------------------------------------------------------------------

    def start(self) -> None:
        self.state()  # a first run starts at the end of the log, not with old alerts
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="facegate-mailer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.config.timeout_seconds + 1 if timeout is None else timeout)
            self._thread = None

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self.run_once()
                failures, self.last_error = 0, None
                delay = self.config.poll_seconds
            except MailError as e:
                failures += 1
                self.last_error = str(e)
                delay = min(MAX_BACKOFF_SECONDS, self.config.poll_seconds * 2 ** failures)
                log.warning("alert mail: %s; retrying in %.0f s", e, delay)
            except Exception:
                log.exception("alert mailer failed; retrying in 30 s")
                delay = 30.0
            self._stop.wait(delay)

    # -- one round --------------------------------------------------------------------------

    def state(self) -> MailerState:
        engine = self.terminal.database.engine
        state = load_state(engine, STATE_NAME)
        if state is None:
            state = MailerState(self.terminal.store.recorder.head().position)
            save_state(engine, STATE_NAME, state)
        return state

    def run_once(self) -> int:
        """Mail what is new (as the budget allows); the number of mails sent."""
        state = self.state()
        sent = 0
        alerts = LogFollower(self.terminal.database.engine, _ALERTS, position=state.position)
        while not self._stop.is_set():
            batch = alerts.pull(BATCH)
            for event in batch:
                if self._wanted(event) and state.pending_after is None \
                        and self.budget.available():
                    self._send(alert_message(self.config, *self._device(),
                                             self._notice(event, snapshot=True)))
                    sent += 1
                elif self._wanted(event) and state.pending_after is None:
                    state.pending_after = state.position  # owed in a digest from here on
                state.position = event.position
                self._save(state)
            if len(batch) < BATCH:
                break
        if state.pending_after is not None and self.budget.available():
            notices = self._pending(state)
            if notices:
                self._send(digest_message(self.config, *self._device(), notices))
                sent += 1
            state.pending_after = None
            self._save(state)
        return sent

    def _send(self, message: object) -> None:
        self.sender.send(message)  # type: ignore[arg-type]
        self.budget.spend()
        self.sent += 1

    def _save(self, state: MailerState) -> None:
        save_state(self.terminal.database.engine, STATE_NAME, state)

    def _wanted(self, event: RecordedEvent) -> bool:
        return (event.origin == self.terminal.device_id  # not other doors' alerts (sync)
                and upcast(event).get("kind") in self.config.kinds)

    def _pending(self, state: MailerState) -> list[AlertNotice]:
        assert state.pending_after is not None
        notices: list[AlertNotice] = []
        owed = LogFollower(self.terminal.database.engine, _ALERTS, position=state.pending_after)
        while owed.position < state.position:
            batch = [e for e in owed.pull(BATCH) if e.position <= state.position]
            if not batch:
                break
            notices.extend(self._notice(e) for e in batch if self._wanted(e))
        return notices

    def _notice(self, event: RecordedEvent, snapshot: bool = False) -> AlertNotice:
        p = upcast(event)
        jpeg = None
        if snapshot and p.get("key_id"):
            try:
                jpeg = self.terminal.alert_snapshot(p["alert_id"])
            except NotFound:
                jpeg = None  # compacted away since
        return AlertNotice(p["alert_id"], p.get("kind", ""), p.get("detail", ""),
                           event.wall_time, event.position, jpeg)

    def _device(self) -> tuple[str, str]:
        return self.terminal.device_id, self.terminal.settings().device_name
