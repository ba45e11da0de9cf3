"""What a handler gets: the shared services (ApiContext) and this request (Call)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from werkzeug.wrappers import Request

from device.api.accounts import Account, AccountStore
from device.api.config import ApiConfig
from device.api.tables import audit
from device.api.throttle import LoginThrottle
from device.storage.db import write_transaction
from device.terminal import Terminal

FrameProvider = Callable[[], np.ndarray | None]  # the latest camera frame, RGB, or None


@dataclass
class ApiContext:
    terminal: Terminal
    config: ApiConfig
    accounts: AccountStore
    throttle: LoginThrottle
    frames: FrameProvider | None = None
    stopping: threading.Event = field(default_factory=threading.Event)  # ends live streams
    started_at: float = field(default_factory=time.time)
    streams: threading.BoundedSemaphore = field(init=False)  # one slot per live viewer

    def __post_init__(self) -> None:
        self.streams = threading.BoundedSemaphore(max(1, self.config.max_streams))

    @classmethod
    def create(cls, terminal: Terminal, config: ApiConfig,
               frames: FrameProvider | None = None) -> ApiContext:
        return cls(terminal, config, AccountStore(terminal.database.engine),
                   LoginThrottle(config.login_max_failures, config.login_window_seconds,
                                 config.login_lockout_seconds), frames)


@dataclass
class Call:
    app: ApiContext
    request: Request
    account: Account | None = None
    token: str | None = None

    @property
    def terminal(self) -> Terminal:
        return self.app.terminal

    def audit(self, action: str, **detail: Any) -> None:
        """Who changed what through the API (the events say what; this says who)."""
        with write_transaction(self.app.terminal.database.engine) as c:
            c.execute(audit.insert().values(
                time=time.time(), username=self.account.username if self.account else None,
                remote_addr=self.request.remote_addr, action=action,
                detail=json.dumps(detail, ensure_ascii=False, default=str)))
