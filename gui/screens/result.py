"""Result: who it was and what happened (checked in 08:59:12, not recognised, door opened).

The window shows it for a few seconds after a door decision, then goes back by itself;
a tap dismisses it sooner.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QMouseEvent
from PyQt5.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from device.attendance import DoorDecision, Outcome
from device.errors import NotFound
from device.messages import Said
from gui import i18n
from gui.context import Context
from gui.i18n import clock, tr
from gui.images import jpeg_pixmap
from gui.screens.base import Screen
from gui.widgets.common import label, set_tone

TONE = {Outcome.CHECKED_IN.value: "ok", Outcome.CHECKED_OUT.value: "ok",
        Outcome.ALREADY_PUNCHED.value: "info"}  # anything else (refusals) is "bad"


class ResultScreen(Screen):
    name = "result"
    dismissed = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        self.photo_side = m.px(150)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.stripe = QWidget()
        self.stripe.setFixedHeight(m.px(10))
        self.stripe.setAttribute(Qt.WA_StyledBackground)
        outer.addWidget(self.stripe)
        body = QHBoxLayout()
        body.setContentsMargins(m.px(14), m.px(10), m.px(14), m.px(10))
        body.setSpacing(m.px(14))
        self.photo = label("", align=Qt.AlignCenter)
        self.photo.setFixedSize(self.photo_side, self.photo_side)
        self.photo.setProperty("role", "panel")
        body.addWidget(self.photo, 0, Qt.AlignVCenter)
        text = QVBoxLayout()
        text.setSpacing(m.px(4))
        text.addStretch(1)
        self.name_label = label("", role="big", wrap=True)
        self.staff = label("", role="muted")
        self.outcome = label("", role="title", wrap=True)
        self.detail = label("", role="muted", wrap=True)
        for widget in (self.name_label, self.staff, self.outcome, self.detail):
            text.addWidget(widget)
        text.addStretch(1)
        body.addLayout(text, 1)
        outer.addLayout(body, 1)
        self._crops: dict[str, bytes | None] = {}
        self._render = lambda: None
        self._variant = "result"
        ctx.watcher.library_changed.connect(self._crops.clear)

    def shot_name(self) -> str:
        return f"result-{self._variant}"

    def retranslate(self) -> None:
        self._render()

    def mousePressEvent(self, _event: QMouseEvent) -> None:
        self.dismissed.emit()

    # -- what to show --------------------------------------------------------------------

    def show_decision(self, d: DoorDecision) -> None:
        self._variant = d.outcome.value
        if d.outcome is Outcome.NOT_RECOGNISED:
            snapshot = self._snapshot(d.alert_id)
            self._render = lambda: self._fill(snapshot, tr("not_recognised"), "",
                                              tr("not_recognised_hint"), clock(d.time), "bad")
        else:
            crop = self._crop(d.person_id)
            key = d.outcome.value  # checked_in, checked_out, already_punched, spoof_refused...
            self._render = lambda: self._fill(
                crop, d.name or d.person_id or "", tr("staff_id", id=d.person_id),
                tr(key, time=clock(d.time)), "", TONE.get(key, "bad"))
        self._render()

    def show_door(self, reason: str, person_id: str | None, t: float) -> None:
        self._variant = "door_opened"
        key = "door_opened" if person_id else "door_opened_remote"
        known = f"reason_{reason}" in i18n.EN
        self._render = lambda: self._fill(None, tr(key), "", clock(t),
                                          tr(f"reason_{reason}") if known else reason, "info",
                                          photo=False)
        self._render()

    def show_error(self, fault: Said, t: float) -> None:
        """A door fault the core reported (the relay failed), in the screen's language."""
        self._variant = "error"
        self._render = lambda: self._fill(None, tr("door_error"), "",
                                          fault.text(i18n.language()), clock(t), "bad",
                                          photo=False)
        self._render()

    def _fill(self, jpeg: bytes | None, name: str, staff: str, outcome: str, detail: str,
              tone: str, photo: bool = True) -> None:
        self.photo.setVisible(photo)
        pixmap = jpeg_pixmap(jpeg, self.photo_side)
        if pixmap is not None:
            self.photo.setPixmap(pixmap)
        else:
            self.photo.setText("?")
        self.name_label.setText(name)
        self.staff.setText(staff)
        self.staff.setVisible(bool(staff))
        self.outcome.setText(outcome)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        set_tone(self.outcome, tone)
        colours = {"ok": "#2e9d57", "bad": "#c8433a", "info": "#2f7fc1", "warn": "#d99a1e"}
        self.stripe.setStyleSheet(f"background: {colours[tone]};")

    def _crop(self, person_id: str | None) -> bytes | None:
        if person_id is None:
            return None
        if person_id not in self._crops:
            try:
                crops = self.ctx.terminal.face_crops(person_id)
            except NotFound:
                crops = []
            self._crops[person_id] = crops[0] if crops else None
        return self._crops[person_id]

    def _snapshot(self, alert_id: str | None) -> bytes | None:
        if alert_id is None:
            return None
        try:
            return self.ctx.terminal.alert_snapshot(alert_id)
        except NotFound:
            return None
