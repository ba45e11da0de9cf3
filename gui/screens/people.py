"""People: search by staff id or name, remove (with a confirmation bar)."""

from __future__ import annotations

import contextlib

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from device.errors import NotFound
from device.queries import PeoplePage
from device.terminal import PersonSummary
from gui.context import Context
from gui.i18n import tr
from gui.screens.base import Screen
from gui.widgets.common import button, label
from gui.widgets.keyboard import Keyboard


class PeopleScreen(Screen):
    name = "people"
    back = pyqtSignal()
    removed = pyqtSignal(str)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        layout = self.column_with_header(self.back, spacing=m.px(4))
        self.header.action.clicked.connect(self.ask_remove)
        self.header.action.setProperty("tone", "bad")
        row = QHBoxLayout()
        row.setContentsMargins(m.px(6), 0, m.px(6), 0)
        self.search = QLineEdit()
        self.search.textChanged.connect(ctx.nav.set_people_search)
        self.count = label("", role="muted")
        row.addWidget(self.search, 1)
        row.addWidget(self.count)
        layout.addLayout(row)
        self.confirm_bar = self._confirm_bar()
        layout.addWidget(self.confirm_bar)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollPerPixel)
        self.list.currentItemChanged.connect(self._selection_changed)
        self.list.setMinimumHeight(m.px(36))  # the keyboard takes the room it needs
        layout.addWidget(self.list, 1)
        self.keyboard = Keyboard(m)
        self.keyboard.attach(self.search)
        self.keyboard.hide()
        layout.addWidget(self.keyboard)
        self.data: PeoplePage | None = None
        self.people: list[PersonSummary] = []
        self.message = ""

    def _confirm_bar(self) -> QWidget:
        bar = QWidget()
        bar.setProperty("role", "panel")
        bar.setAttribute(Qt.WA_StyledBackground)
        row = QHBoxLayout(bar)
        row.setContentsMargins(self.m.px(6), self.m.px(2), self.m.px(6), self.m.px(2))
        self.confirm_text = label("", wrap=True)
        self.confirm_yes = button("", tone="bad")
        self.confirm_no = button("")
        self.confirm_yes.clicked.connect(self.remove_selected)
        self.confirm_no.clicked.connect(lambda: self.confirm_bar.hide())
        row.addWidget(self.confirm_text, 1)
        row.addWidget(self.confirm_no)
        row.addWidget(self.confirm_yes)
        bar.hide()
        return bar

    def retranslate(self) -> None:
        self.header.title.setText(tr("menu_people"))
        self.header.back.setText(tr("back"))
        self.header.action.setText(tr("remove"))
        self.search.setPlaceholderText(tr("search"))
        self.confirm_yes.setText(tr("remove"))
        self.confirm_no.setText(tr("cancel"))
        self.present()

    def entered(self) -> None:
        self.confirm_bar.hide()
        self.keyboard.hide()

    def present(self) -> None:
        page = self.data
        if page is None:
            return
        selected = self.selected_id()
        self.people = page.people
        self.list.blockSignals(True)
        self.list.clear()
        for person in page.people:
            quality = "" if person.quality is None else "   ·   " + tr(
                "sample_quality", q=round(person.quality))  # the weakest sample's sharpness
            item = QListWidgetItem(f"{person.name}   ·   {person.person_id}   ·   "
                                   + tr("samples", n=person.samples) + quality)
            item.setData(Qt.UserRole, person.person_id)
            self.list.addItem(item)
            if person.person_id == selected:
                self.list.setCurrentItem(item)
        if page.matching > len(page.people):
            more = QListWidgetItem(tr("more_people", n=page.matching - len(page.people)))
            more.setFlags(Qt.NoItemFlags)
            self.list.addItem(more)
        if not page.total:
            empty = QListWidgetItem(tr("nobody"))
            empty.setFlags(Qt.NoItemFlags)
            self.list.addItem(empty)
        self.list.blockSignals(False)
        self.count.setText(self.message or tr("people_count", n=page.total))
        self._selection_changed()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.UserRole) if item is not None else None

    def select(self, person_id: str) -> bool:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item is not None and item.data(Qt.UserRole) == person_id:
                self.list.setCurrentRow(i)
                return True
        return False

    def _selection_changed(self, *_: object) -> None:
        self.header.action.setVisible(self.selected_id() is not None)
        if self.selected_id() is None:
            self.confirm_bar.hide()

    def ask_remove(self) -> None:
        person_id = self.selected_id()
        if person_id is None:
            return
        name = next((p.name for p in self.people if p.person_id == person_id), person_id)
        self.confirm_text.setText(tr("remove_confirm", name=f"{name} ({person_id})"))
        self.keyboard.hide()  # the bar and the list need the room
        self.confirm_bar.show()

    def remove_selected(self) -> None:
        person_id = self.selected_id()
        self.confirm_bar.hide()
        if person_id is None:
            return
        name = next((p.name for p in self.people if p.person_id == person_id), person_id)
        with contextlib.suppress(NotFound):  # removed meanwhile by the sync agent
            self.ctx.terminal.remove(person_id)
        self.message = tr("removed", name=name)
        self.ctx.written()  # the list is read again
        self.message = ""
        self.removed.emit(person_id)
