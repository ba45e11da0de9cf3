"""Alerts: unknown faces with their snapshots (and device faults); mark them handled.

Kinds and details are the core's words, said in the screen's language by device/messages.py
(a detail the catalogue does not know is shown as stored). The list comes from the
navigation model (one read); the snapshots are decrypted off the GUI thread
(gui/sealed_images.py): a placeholder first, the picture when it is ready.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from PyQt5.QtCore import QSize, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QIcon, QPixmap
from PyQt5.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout

from device import messages
from device.errors import NotFound
from device.queries import AlertPage, AlertSummary
from gui.context import Context
from gui.i18n import language, stamp, tr
from gui.images import jpeg_pixmap
from gui.screens.base import Screen
from gui.sealed_images import ImageKey, ImageKind
from gui.theme import PANEL
from gui.widgets.common import button, label

LOADING = "…"  # the big snapshot's placeholder while it is decrypted


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
        self.data: AlertPage | None = None
        self.alerts: list[AlertSummary] = []
        blank = QPixmap(self.thumb, self.thumb)
        blank.fill(QColor(PANEL))
        self.pending_icon = QIcon(blank)  # a thumbnail's place while it is decrypted
        ctx.images.ready.connect(self._image_ready)

    @property
    def only_open(self) -> bool:
        return self.ctx.nav.alerts_open_only

    def set_open_only(self, only_open: bool) -> None:
        self.ctx.nav.set_alerts_open_only(only_open)

    def retranslate(self) -> None:
        self.header.back.setText(tr("back"))
        self.header.title.setText(tr("menu_alerts"))
        self.open_only.setText(tr("open_only"))
        self.show_all.setText(tr("all_alerts"))
        self.handle.setText(tr("mark_handled"))
        self.present()

    @staticmethod
    def _key(alert: AlertSummary) -> ImageKey:
        return ImageKey(ImageKind.SNAPSHOT, alert.alert_id)

    def _snapshot(self, alert: AlertSummary, urgent: bool = False) -> tuple[bool, bytes | None]:
        """(known, JPEG or None): known is False while the worker decrypts it."""
        if not alert.has_snapshot:
            return True, None
        return self.ctx.images.get(self._key(alert), urgent)

    def _set_icon(self, item: QListWidgetItem, alert: AlertSummary) -> None:
        known, jpeg = self._snapshot(alert)
        pixmap = jpeg_pixmap(jpeg, self.thumb)
        if pixmap is not None:
            item.setIcon(QIcon(pixmap))
        else:  # a blank square while decrypting (the text does not jump), none if none
            item.setIcon(QIcon() if known else self.pending_icon)

    def present(self) -> None:
        page = self.data
        if page is None:
            return
        self.open_only.setChecked(self.only_open)
        self.show_all.setChecked(not self.only_open)
        selected = self.selected_id()
        self.alerts = page.alerts
        first = next((a for a in self.alerts if a.alert_id == selected),
                     self.alerts[0] if self.alerts else None)
        if first is not None:  # the one shown large is decrypted before the thumbnails
            self._snapshot(first, urgent=True)
        self.list.blockSignals(True)
        self.list.clear()
        for alert in self.alerts:
            when = dt.datetime.fromtimestamp(alert.time).strftime("%m-%d %H:%M:%S")
            text = f"{when}\n{messages.alert_kind(alert.kind, language())}"
            if alert.handled:
                text += f" · {tr('handled')}"
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, alert.alert_id)
            self._set_icon(item, alert)
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

    def selected(self) -> AlertSummary | None:
        alert_id = self.selected_id()
        return next((a for a in self.alerts if a.alert_id == alert_id), None)

    def _show_selected(self, *_: object) -> None:
        alert = self.selected()
        self.handle.setVisible(alert is not None and not alert.handled)
        self.snapshot.setVisible(alert is not None)
        if alert is None:
            self.snapshot.clear()
            self.detail.clear()
            return
        self._show_snapshot(alert)
        kind = messages.alert_kind(alert.kind, language())
        detail = messages.alert_detail(alert.kind, alert.detail, language())
        self.detail.setText(f"{stamp(alert.time)}\n{kind}\n{detail}")

    def _show_snapshot(self, alert: AlertSummary) -> None:
        known, jpeg = self._snapshot(alert, urgent=True)
        pixmap = jpeg_pixmap(jpeg, self.snapshot_side)
        if pixmap is not None:
            self.snapshot.setPixmap(pixmap)
        else:  # being decrypted, none, or one that cannot be read
            self.snapshot.setText(tr("no_snapshot") if known else LOADING)

    def _image_ready(self, key: ImageKey) -> None:
        """The worker decrypted a snapshot: show it where it belongs."""
        if key.kind is not ImageKind.SNAPSHOT:
            return
        alert = next((a for a in self.alerts if a.alert_id == key.id), None)
        if alert is None:
            return
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item is not None and item.data(Qt.UserRole) == key.id:
                self._set_icon(item, alert)
        if self.selected_id() == key.id:
            self._show_snapshot(alert)

    def mark_handled(self) -> None:
        alert_id = self.selected_id()
        if alert_id is None:
            return
        with contextlib.suppress(NotFound):  # handled meanwhile elsewhere: just refresh
            self.ctx.terminal.handle_alert(alert_id)
        self.ctx.written()  # the list is read again
