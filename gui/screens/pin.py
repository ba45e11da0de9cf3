"""The PIN pad: admin login (with lockout), and setting a new PIN (entered twice)."""

from __future__ import annotations

import math
from enum import StrEnum

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QVBoxLayout

from device.errors import BadInput
from gui.admin_pin import PIN_LENGTHS, PinVerdict
from gui.context import Context
from gui.i18n import tr
from gui.screens.base import Screen
from gui.widgets.common import button, label, set_tone
from gui.widgets.keypad import Keypad


class PinMode(StrEnum):
    LOGIN = "login"
    NEW = "new"
    CONFIRM = "confirm"


class PinScreen(Screen):
    name = "pin"
    accepted = pyqtSignal()
    cancelled = pyqtSignal()
    pin_changed = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        row = QHBoxLayout(self)
        row.setContentsMargins(m.px(10), m.px(10), m.px(10), m.px(10))
        row.setSpacing(m.px(12))
        left = QVBoxLayout()
        left.setSpacing(m.px(6))
        self.title = label("", role="title", wrap=True)
        self.dots = label("", role="big", align=Qt.AlignCenter)
        self.dots.setMinimumHeight(m.px(40))
        self.message = label("", wrap=True)
        self.message.setMinimumHeight(m.px(48))
        self.cancel = button("")
        self.cancel.clicked.connect(self._cancel)
        left.addWidget(self.title)
        left.addStretch(1)
        left.addWidget(self.dots)
        left.addWidget(self.message)
        left.addStretch(1)
        left.addWidget(self.cancel)
        row.addLayout(left, 2)
        self.keypad = Keypad(m)
        self.keypad.digit.connect(self._digit)
        self.keypad.delete.connect(self._delete)
        self.keypad.enter.connect(self.submit)
        row.addWidget(self.keypad, 3)
        self.mode = PinMode.LOGIN
        self.entered_pin = ""
        self._first = ""
        self._message_key: tuple[str, dict] | None = None
        self._tone: str | None = None
        self.lock_timer = QTimer(self)
        self.lock_timer.setInterval(500)
        self.lock_timer.timeout.connect(self._show_lock)

    def shot_name(self) -> str:
        return f"pin-{self.mode.value}"

    def start(self, mode: PinMode) -> None:
        self.mode = mode
        self._first = ""
        self._clear()
        self._say(None)
        if mode is PinMode.LOGIN and self.ctx.pins.locked_for() > 0:
            self._show_lock()
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText({PinMode.LOGIN: tr("pin_title"), PinMode.NEW: tr("pin_new"),
                            PinMode.CONFIRM: tr("pin_confirm")}[self.mode])
        self.cancel.setText(tr("cancel"))
        self.message.setText(tr(self._message_key[0], **self._message_key[1])
                             if self._message_key else "")

    def left(self) -> None:
        self.lock_timer.stop()
        self._clear()

    # -- input ---------------------------------------------------------------------------

    def _digit(self, digit: str) -> None:
        if len(self.entered_pin) < PIN_LENGTHS.stop - 1:
            self.entered_pin += digit
            self._show_dots()

    def _delete(self) -> None:
        self.entered_pin = self.entered_pin[:-1]
        self._show_dots()

    def _clear(self) -> None:
        self.entered_pin = ""
        self._show_dots()

    def _show_dots(self) -> None:
        self.dots.setText("● " * len(self.entered_pin) if self.entered_pin else "–")

    def _cancel(self) -> None:
        self._clear()
        self.cancelled.emit()

    def submit(self) -> None:
        pin, self.entered_pin = self.entered_pin, ""
        self._show_dots()
        if self.mode is PinMode.LOGIN:
            self._login(pin)
        elif self.mode is PinMode.NEW:
            if not pin.isdigit() or len(pin) not in PIN_LENGTHS:
                self._say("pin_rule", tone="bad")
                return
            self._first, self.mode = pin, PinMode.CONFIRM
            self._say(None)
            self.retranslate()
        else:
            self._confirm(pin)

    def _login(self, pin: str) -> None:
        result = self.ctx.pins.check(pin)
        if result.verdict is PinVerdict.OK:
            self._say(None)
            self.accepted.emit()
        elif result.verdict is PinVerdict.WRONG:
            self._say("pin_wrong", tone="bad", n=result.attempts_left)
        else:
            self._show_lock()

    def _confirm(self, pin: str) -> None:
        if pin != self._first:
            self.mode, self._first = PinMode.NEW, ""
            self._say("pin_mismatch", tone="bad")
            self.retranslate()
            return
        try:
            self.ctx.pins.change(pin)
        except BadInput:
            self.mode = PinMode.NEW
            self._say("pin_rule", tone="bad")
            self.retranslate()
            return
        self._say("pin_changed", tone="ok")
        self.pin_changed.emit()

    def _show_lock(self) -> None:
        seconds = self.ctx.pins.locked_for()
        if seconds <= 0:
            self.lock_timer.stop()
            self._say(None)
            return
        self._say("pin_locked", tone="bad", s=math.ceil(seconds))
        if not self.lock_timer.isActive():
            self.lock_timer.start()

    def _say(self, key: str | None, tone: str | None = None, **values: object) -> None:
        self._message_key = (key, values) if key else None
        self.message.setText(tr(key, **values) if key else "")
        set_tone(self.message, tone)
