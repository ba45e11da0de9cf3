"""Punches: one day at a time (◀ ▶), the last 7 or 30 days, or all."""

from __future__ import annotations

import datetime as dt

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
)

from device.events import PunchStatus
from gui.context import Context
from gui.i18n import tr
from gui.periods import Period, PunchFilter
from gui.reads import PunchesData
from gui.screens.base import Screen
from gui.widgets.common import button


class PunchesScreen(Screen):
    name = "punches"
    back = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        layout = self.column_with_header(self.back, spacing=m.px(4))
        row = QHBoxLayout()
        row.setContentsMargins(m.px(4), 0, m.px(4), 0)
        row.setSpacing(m.px(4))
        self.previous = button("◀")
        self.day = button("", checkable=True)
        self.next = button("▶")
        self.week = button("", checkable=True)
        self.month = button("", checkable=True)
        self.all = button("", checkable=True)
        for b in (self.previous, self.next):
            b.setFixedWidth(m.px(40))
        self.previous.clicked.connect(lambda: self.set_filter(self._shift(-1)))
        self.next.clicked.connect(lambda: self.set_filter(self._shift(1)))
        self.day.clicked.connect(lambda: self.set_filter(PunchFilter(Period.DAY)))
        self.week.clicked.connect(lambda: self.set_filter(PunchFilter(Period.WEEK)))
        self.month.clicked.connect(lambda: self.set_filter(PunchFilter(Period.MONTH)))
        self.all.clicked.connect(lambda: self.set_filter(PunchFilter(Period.ALL)))
        for widget, stretch in ((self.previous, 0), (self.day, 3), (self.next, 0),
                                (self.week, 2), (self.month, 2), (self.all, 2)):
            row.addWidget(widget, stretch)
        layout.addLayout(row)
        self.table = QTableWidget(0, 4)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setFocusPolicy(Qt.NoFocus)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.table.verticalHeader().setDefaultSectionSize(m.px(30))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        layout.addWidget(self.table, 1)
        self.data: PunchesData | None = None

    @property
    def filter(self) -> PunchFilter:
        return self.ctx.nav.punch_filter

    def _shift(self, days: int) -> PunchFilter:
        return self.filter.shifted(days, dt.date.today())

    def set_filter(self, punch_filter: PunchFilter) -> None:
        self.ctx.nav.set_punch_filter(punch_filter)

    def retranslate(self) -> None:
        self.header.back.setText(tr("back"))
        self.week.setText(tr("week"))
        self.month.setText(tr("month"))
        self.all.setText(tr("all"))
        self.present()

    def present(self) -> None:
        data = self.data
        if data is None:
            return
        today, shown = data.today, data.punch_filter
        day = shown.day or today
        self.day.setText(tr("today") if day == today else day.strftime("%m-%d"))
        for widget, period in ((self.day, Period.DAY), (self.week, Period.WEEK),
                               (self.month, Period.MONTH), (self.all, Period.ALL)):
            widget.setChecked(shown.period is period)
        self.next.setEnabled(shown.period is Period.DAY and day < today)
        self.header.title.setText(
            f"{tr('menu_punches')} · {tr('punch_count', n=data.page.matching)}")
        self.table.setHorizontalHeaderLabels([tr("col_time"), tr("field_staff_id"),
                                              tr("field_name"), tr("col_status")])
        newest_first = data.page.punches
        self.table.setRowCount(len(newest_first))
        several_days = shown.period is not Period.DAY
        for i, p in enumerate(newest_first):
            when = dt.datetime.fromtimestamp(p.time)
            status = tr("punch_in") if p.status == PunchStatus.CHECK_IN else tr("punch_out")
            cells = (when.strftime("%m-%d %H:%M:%S" if several_days else "%H:%M:%S"),
                     p.person_id, p.name, status)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 3:
                    item.setTextAlignment(Qt.AlignCenter)
                self.table.setItem(i, j, item)
