"""Standby: clock, date, device name, sync state, "please step up"; the admin button."""

from __future__ import annotations

import datetime as dt
import time

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QVBoxLayout

from device.queries import SyncState, SyncStatus
from gui import i18n
from gui.context import Context
from gui.i18n import tr
from gui.reads import StandbyData
from gui.screens.base import Screen
from gui.widgets.common import button, label, set_tone

SYNC_REFRESH_MS = 2000
TONES = {SyncState.ONLINE: "ok", SyncState.SYNCED: "ok", SyncState.PENDING: "warn",
         SyncState.OFFLINE: "bad", SyncState.NO_AGENT: "bad"}


class StandbyScreen(Screen):
    name = "standby"
    admin_requested = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        layout = QVBoxLayout(self)
        layout.setContentsMargins(m.px(10), m.px(8), m.px(10), m.px(8))
        layout.setSpacing(m.px(2))
        top = QHBoxLayout()
        self.device_name = label("", role="title")
        self.sync = label("", role="muted", align=Qt.AlignRight | Qt.AlignVCenter)
        top.addWidget(self.device_name, 1)
        top.addWidget(self.sync)
        layout.addLayout(top)
        layout.addStretch(1)
        self.clock = label("", role="clock", align=Qt.AlignCenter)
        self.date = label("", align=Qt.AlignCenter)
        layout.addWidget(self.clock)
        layout.addWidget(self.date)
        layout.addStretch(1)
        bottom = QHBoxLayout()
        self.hint = label("", role="hint", tone="info", align=Qt.AlignCenter)
        self.admin = button("")
        self.admin.setFixedWidth(m.px(72))
        self.admin.clicked.connect(self.admin_requested)
        spacer = label("")
        spacer.setFixedWidth(m.px(72))
        bottom.addWidget(spacer)
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.admin)
        layout.addLayout(bottom)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(500)
        self.clock_timer.timeout.connect(self.tick)
        self.sync_timer = QTimer(self)
        self.sync_timer.setInterval(SYNC_REFRESH_MS)
        self.sync_timer.timeout.connect(ctx.nav.reload)  # the sync line (and the name)
        self.data: StandbyData | None = None

    def retranslate(self) -> None:
        self.hint.setText(tr("please_approach"))
        self.admin.setText(tr("admin"))
        self.tick()
        self.present()

    def present(self) -> None:
        if self.data is None:
            return
        self.device_name.setText(self.data.device_name)
        self._show_sync(self.data.sync)

    def tick(self) -> None:
        now = dt.datetime.now()
        self.clock.setText(now.strftime("%H:%M:%S"))
        self.date.setText(i18n.long_date(now.date()))

    def _show_sync(self, status: SyncStatus) -> None:
        state = status.state()
        text = {
            SyncState.NO_AGENT: tr("sync_no_agent"),
            SyncState.ONLINE: tr("sync_online"),
            SyncState.OFFLINE: tr("sync_offline", time=time.strftime(
                "%m-%d %H:%M", time.localtime(status.last_hub_contact or 0))),
            SyncState.SYNCED: tr("sync_synced"),
            SyncState.PENDING: tr("sync_pending", n=status.queue_depth),
        }[state]
        self.sync.setText("● " + text)
        set_tone(self.sync, TONES[state])

    def entered(self) -> None:
        self.clock_timer.start()
        self.sync_timer.start()

    def left(self) -> None:
        self.clock_timer.stop()
        self.sync_timer.stop()
