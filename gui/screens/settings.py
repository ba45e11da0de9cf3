"""Settings: threshold, repeat-punch window, wake distance, door open time, language, PIN."""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from device.errors import BadInput
from device.settings import DeviceSettings
from gui.context import Context
from gui.i18n import tr
from gui.screens.base import Screen
from gui.widgets.common import button, label, set_tone
from gui.widgets.stepper import Stepper

# setting -> (minimum, maximum, step, decimals, title key, unit key)
STEPPERS: dict[str, tuple[float, float, float, int, str, str]] = {
    "match_threshold": (0.30, 0.70, 0.01, 2, "set_threshold", ""),
    "debounce_seconds": (0, 3600, 30, 0, "set_debounce", "unit_s"),
    "wake_distance_mm": (300, 2000, 50, 0, "set_wake", "unit_mm"),
    "relay_pulse_seconds": (1, 15, 0.5, 1, "set_pulse", "unit_s"),
}
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


class SettingsScreen(Screen):
    name = "settings"
    back = pyqtSignal()
    saved = pyqtSignal(object)  # DeviceSettings
    change_pin = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        layout = self.column_with_header(self.back)
        self.header.action.setProperty("tone", "ok")
        self.header.action.show()
        self.header.action.clicked.connect(self.save)
        self.message = self.header.title  # "Settings", then "Saved" or why not
        body = QWidget()
        rows = QVBoxLayout(body)
        rows.setContentsMargins(m.px(8), m.px(4), m.px(8), m.px(4))
        rows.setSpacing(m.px(4))
        self.steppers: dict[str, Stepper] = {}
        for key, (low, high, step, decimals, _title, _unit) in STEPPERS.items():
            stepper = Stepper(m, low, high, step, decimals)
            self.steppers[key] = stepper
            rows.addWidget(stepper)
        language_row = QHBoxLayout()
        self.language_title = label("")
        language_row.addWidget(self.language_title, 1)
        self.language_buttons = {}
        for code, text in LANGUAGE_NAMES.items():
            b = button(text, checkable=True)
            b.setMinimumWidth(m.px(84))
            b.clicked.connect(lambda _=False, c=code: self._pick_language(c))
            language_row.addWidget(b)
            self.language_buttons[code] = b
        rows.addLayout(language_row)
        self.pin_button = button("")
        self.pin_button.clicked.connect(self.change_pin)
        rows.addWidget(self.pin_button)
        rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(body)  # fits at 480x320; scrolls only if a font is larger
        layout.addWidget(scroll, 1)
        self.language = "zh"

    def _pick_language(self, code: str) -> None:
        self.language = code
        for c, b in self.language_buttons.items():
            b.setChecked(c == code)

    def entered(self) -> None:
        set_tone(self.message, None)
        self.load(self.ctx.terminal.settings())

    def load(self, s: DeviceSettings) -> None:
        for key, stepper in self.steppers.items():
            stepper.set_value(float(getattr(s, key)))
        self._pick_language(s.language)

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {k: s.value() for k, s in self.steppers.items()}
        values["wake_distance_mm"] = int(values["wake_distance_mm"])  # type: ignore[call-overload]
        values["language"] = self.language
        return values

    def retranslate(self) -> None:
        self.header.back.setText(tr("back"))
        self.header.title.setText(tr("menu_settings"))
        self.header.action.setText(tr("save"))
        for key, (_lo, _hi, _st, _dec, title, unit) in STEPPERS.items():
            self.steppers[key].title.setText(tr(title))
            self.steppers[key].set_unit(tr(unit) if unit else "")
        self.language_title.setText(tr("set_language"))
        self.pin_button.setText(tr("change_pin"))

    def save(self) -> None:
        try:
            settings = self.ctx.terminal.change_settings(**self.values())
        except BadInput as e:
            self.message.setText(tr("settings_failed", reason=str(e)))
            self.message.setToolTip(str(e))
            set_tone(self.message, "bad")
            return
        self.saved.emit(settings)  # the window applies the language: texts change now
        self.message.setText(tr("saved"))
        set_tone(self.message, "ok")
