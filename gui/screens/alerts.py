"""Alerts: unknown faces with their snapshots (and device faults); mark them handled.

Kinds and details are the core's words, said in the screen's language by device/messages.py
(a detail the catalogue does not know is shown as stored).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from PyQt5.QtCore import QSize, Qt, pyqtSignal
from PyQt5.QtGui import QIcon
from PyQt5.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout

from device import messages
from device.errors import NotFound
from gui.context import Context
from gui.i18n import language, stamp, tr
from gui.images import jpeg_pixmap
from gui.screens.base import Screen
from gui.widgets.common import button, label

MAX_ROWS = 200


class AlertsScreen(Screen):
    name = "alerts"
    back = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        layout = self.column_with_header(self.back, spacing=m.px(4))
        self.thumb = m.px(44)
        body = QHBoxLayout()
        body.setContentsMargins(m.px(4), 0, m.px(4), m.px(4))
        body.setSpacing(m.px(6))
        left = QVBoxLayout()
        filters = QHBoxLayout()
        self.open_only = button("", checkable=True)
        self.show_all = button("", checkable=True)
        self.open_only.setChecked(True)
        self.open_only.clicked.connect(lambda: self.set_open_only(True))
        self.show_all.clicked.connect(lambda: self.set_open_only(False))
        filters.addWidget(self.open_only)
        filters.addWidget(self.show_all)
        left.addLayout(filters)
        self.list = QListWidget()
        self.list.setIconSize(QSize(self.thumb, self.thumb))
        self.list.setVerticalScrollMode(QListWidget.ScrollPerPixel)
        self.list.currentItemChanged.connect(self._show_selected)
        left.addWidget(self.list, 1)
        body.addLayout(left, 3)
        right = QVBoxLayout()
        self.snapshot_side = m.px(130)
        self.snapshot = label("", align=Qt.AlignCenter)
        self.snapshot.setFixedSize(self.snapshot_side, self.snapshot_side)
        self.snapshot.setProperty("role", "panel")
        self.detail = label("", role="muted", wrap=True)
        self.handle = button("", tone="ok")
        self.handle.clicked.connect(self.mark_handled)
        right.addWidget(self.snapshot, 0, Qt.AlignHCenter)
        right.addWidget(self.detail, 1)
        right.addWidget(self.handle)
        body.addLayout(right, 2)
        layout.addLayout(body, 1)
        self.only_open = True
        self.alerts: list = []
        self._snapshots: dict[str, bytes | None] = {}
        ctx.watcher.changed.connect(self.refresh_if_visible)

    def set_open_only(self, only_open: bool) -> None:
        self.only_open = only_open
        self.refresh()

    def retranslate(self) -> None:
        self.header.back.setText(tr("back"))
        self.header.title.setText(tr("menu_alerts"))
        self.open_only.setText(tr("open_only"))
        self.show_all.setText(tr("all_alerts"))
        self.handle.setText(tr("mark_handled"))
        self.refresh()

    def snapshot_of(self, alert_id: str) -> bytes | None:
        if alert_id not in self._snapshots:
            try:
                self._snapshots[alert_id] = self.ctx.terminal.alert_snapshot(alert_id)
            except NotFound:
                self._snapshots[alert_id] = None
        return self._snapshots[alert_id]

    def refresh(self) -> None:
        self.open_only.setChecked(self.only_open)
        self.show_all.setChecked(not self.only_open)
        selected = self.selected_id()
        self.alerts = self.ctx.terminal.alerts(only_open=self.only_open)
        self.list.blockSignals(True)
        self.list.clear()
        for alert in self.alerts[:MAX_ROWS]:
            when = dt.datetime.fromtimestamp(alert.time).strftime("%m-%d %H:%M:%S")
            text = f"{when}\n{messages.alert_kind(alert.kind, language())}"
            if alert.handled:
                text += f" · {tr('handled')}"
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, alert.alert_id)
            pixmap = jpeg_pixmap(self.snapshot_of(alert.alert_id), self.thumb)
            if pixmap is not None:
                item.setIcon(QIcon(pixmap))
            self.list.addItem(item)
            if alert.alert_id == selected:
                self.list.setCurrentItem(item)
        if not self.alerts:
            empty = QListWidgetItem(tr("no_alerts"))
            empty.setFlags(Qt.NoItemFlags)
            self.list.addItem(empty)
        elif self.list.currentItem() is None:
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self._show_selected()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.UserRole) if item is not None else None

    def _show_selected(self, *_: object) -> None:
        alert_id = self.selected_id()
        alert = next((a for a in self.alerts if a.alert_id == alert_id), None)
        self.handle.setVisible(alert is not None and not alert.handled)
        self.snapshot.setVisible(alert is not None)
        if alert is None:
            self.snapshot.clear()
            self.detail.clear()
            return
        pixmap = jpeg_pixmap(self.snapshot_of(alert.alert_id), self.snapshot_side)
        if pixmap is not None:
            self.snapshot.setPixmap(pixmap)
        else:
            self.snapshot.setText(tr("no_snapshot"))
        kind = messages.alert_kind(alert.kind, language())
        detail = messages.alert_detail(alert.kind, alert.detail, language())
        self.detail.setText(f"{stamp(alert.time)}\n{kind}\n{detail}")

    def mark_handled(self) -> None:
        alert_id = self.selected_id()
        if alert_id is None:
            return
        with contextlib.suppress(NotFound):  # handled meanwhile elsewhere: just refresh
            self.ctx.terminal.handle_alert(alert_id)
        self.ctx.watcher.poke()
        self.refresh()
