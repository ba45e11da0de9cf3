"""Result: who it was and what happened (checked in 08:59:12, not recognised, door opened).

The window shows it for a few seconds after a door decision, then goes back by itself;
a tap dismisses it sooner. What it shows is the navigation model's result content; the
enrolled crop or the alert's snapshot is decrypted off the GUI thread ("?" until then).
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QMouseEvent
from PyQt5.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from device.attendance import DoorDecision, Outcome
from gui import i18n
from gui.context import Context
from gui.i18n import clock, tr
from gui.images import jpeg_pixmap
from gui.navigation import DecisionShown, DoorOpenedShown, FaultShown, ResultContent
from gui.screens.base import Screen
from gui.sealed_images import ImageKey, ImageKind
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
        self.data: ResultContent | None = None
        self._image: ImageKey | None = None  # the sealed JPEG the photo shows
        ctx.images.ready.connect(self._image_ready)

    def shot_name(self) -> str:
        content = self.data
        if isinstance(content, DecisionShown):
            return f"result-{content.decision.outcome.value}"
        if isinstance(content, DoorOpenedShown):
            return "result-door_opened"
        if isinstance(content, FaultShown):
            return "result-error"
        return "result-result"

    def mousePressEvent(self, _event: QMouseEvent) -> None:
        self.dismissed.emit()

    # -- what to show --------------------------------------------------------------------

    def present(self) -> None:
        content = self.data
        if isinstance(content, DecisionShown):
            self._decision(content.decision)
        elif isinstance(content, DoorOpenedShown):
            key = "door_opened" if content.person_id else "door_opened_remote"
            known = f"reason_{content.reason}" in i18n.EN
            self._fill(None, tr(key), "", clock(content.time),
                       tr(f"reason_{content.reason}") if known else content.reason, "info",
                       photo=False)
        elif isinstance(content, FaultShown):  # in the screen's language
            self._fill(None, tr("door_error"), "", content.fault.text(i18n.language()),
                       clock(content.time), "bad", photo=False)

    def _decision(self, d: DoorDecision) -> None:
        if d.outcome is Outcome.NOT_RECOGNISED:
            snapshot = None if d.alert_id is None else ImageKey(ImageKind.SNAPSHOT, d.alert_id)
            self._fill(snapshot, tr("not_recognised"), "", tr("not_recognised_hint"),
                       clock(d.time), "bad")
        else:
            crop = None if d.person_id is None else ImageKey(ImageKind.CROP, d.person_id)
            key = d.outcome.value  # checked_in, checked_out, already_punched, spoof_refused...
            self._fill(crop, d.name or d.person_id or "", tr("staff_id", id=d.person_id),
                       tr(key, time=clock(d.time)), "", TONE.get(key, "bad"))

    def _fill(self, image: ImageKey | None, name: str, staff: str, outcome: str, detail: str,
              tone: str, photo: bool = True) -> None:
        self.photo.setVisible(photo)
        self._image = image if photo else None
        self._show_photo()
        self.name_label.setText(name)
        self.staff.setText(staff)
        self.staff.setVisible(bool(staff))
        self.outcome.setText(outcome)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        set_tone(self.outcome, tone)
        colours = {"ok": "#2e9d57", "bad": "#c8433a", "info": "#2f7fc1", "warn": "#d99a1e"}
        self.stripe.setStyleSheet(f"background: {colours[tone]};")

    def _show_photo(self) -> None:
        """The face crop or snapshot if decrypted already, else "?" until it is."""
        jpeg = None
        if self._image is not None:
            _, jpeg = self.ctx.images.get(self._image, urgent=True)
        pixmap = jpeg_pixmap(jpeg, self.photo_side)
        if pixmap is not None:
            self.photo.setPixmap(pixmap)
        else:
            self.photo.setText("?")

    def _image_ready(self, key: ImageKey) -> None:
        if key == self._image:
            self._show_photo()
