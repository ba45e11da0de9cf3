"""Settings: threshold, repeat-punch window, wake distance, door open time, language, PIN.

Ranges, steps, decimals, units and the languages come from the rule table
(device/settings_rules.py), so the screen offers exactly what the core accepts. Save sends
only what was changed here: a value set over HTTP or by the CLI that the steppers cannot
show exactly (0.555, 5.5 s) is not rounded over on the way.
"""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from device.errors import BadInput
from device.settings import DeviceSettings
from device.settings_rules import RULES, SettingRule
from gui.context import Context
from gui.i18n import tr
from gui.screens.base import Screen
from gui.widgets.common import button, label, set_tone
from gui.widgets.stepper import Stepper

#: The settings on the screen, with their title text key.
STEPPER_TITLES: dict[str, str] = {
    "match_threshold": "set_threshold", "debounce_seconds": "set_debounce",
    "wake_distance_mm": "set_wake", "relay_pulse_seconds": "set_pulse"}
UNIT_KEYS = {"seconds": "unit_s", "mm": "unit_mm"}  # table unit -> text key
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}  # for RULES["language"].choices


def stepper_range(rule: SettingRule) -> tuple[float, float]:
    """The table's range; an exclusive bound moves in by the smallest shown step."""
    assert rule.minimum is not None and rule.maximum is not None
    least = 10 ** -rule.decimals
    low = rule.minimum + least if rule.exclusive_minimum else rule.minimum
    high = rule.maximum - least if rule.exclusive_maximum else rule.maximum
    return low, high


def _stepper_spec(name: str, title: str) -> tuple[float, float, float, int, str, str]:
    rule = RULES[name]
    if rule.step is None:
        raise ValueError(f"setting {name} has no screen step in device/settings_rules.py")
    low, high = stepper_range(rule)
    return low, high, rule.step, rule.decimals, title, UNIT_KEYS.get(rule.unit, "")


# setting -> (minimum, maximum, step, decimals, title key, unit key), from the table
STEPPERS: dict[str, tuple[float, float, float, int, str, str]] = {
    name: _stepper_spec(name, title) for name, title in STEPPER_TITLES.items()}
LANGUAGES: tuple[str, ...] = RULES["language"].choices


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
        for code in LANGUAGES:
            b = button(LANGUAGE_NAMES.get(code, code), checkable=True)
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
        self.data: DeviceSettings | None = None
        self.language = RULES["language"].default
        self._loaded: dict[str, object] = {}  # what load() showed, to send only changes

    def _pick_language(self, code: str) -> None:
        self.language = code
        for c, b in self.language_buttons.items():
            b.setChecked(c == code)

    def entered(self) -> None:
        set_tone(self.message, None)
        if self.data is not None:  # what the navigation model read for this visit
            self.load(self.data)

    def load(self, s: DeviceSettings) -> None:
        for key, stepper in self.steppers.items():
            stepper.set_value(float(getattr(s, key)))
        self._pick_language(s.language)
        self._loaded = self.shown()

    def shown(self) -> dict[str, object]:
        """The values as the screen shows them, typed by the table."""
        values: dict[str, object] = {}
        for key, stepper in self.steppers.items():
            kind = RULES[key].python_type
            values[key] = kind(round(stepper.value())) if kind is int else kind(stepper.value())
        values["language"] = self.language
        return values

    def values(self) -> dict[str, object]:
        """What Save sends: the values changed on this screen since load()."""
        return {k: v for k, v in self.shown().items() if self._loaded.get(k) != v}

    def retranslate(self) -> None:
        self.header.back.setText(tr("back"))
        self.header.title.setText(tr("menu_settings"))
        self.header.action.setText(tr("save"))
        for key, (_lo, _hi, _st, _dec, title, unit) in STEPPERS.items():
            self.steppers[key].title.setText(tr(title))
            self.steppers[key].set_unit(tr(unit) if unit else "")
        self.language_title.setText(tr("set_language"))
        self.pin_button.setText(tr("change_pin"))
        # the values are not rendered here: load() on entering, so a language change
        # keeps what the administrator has set but not saved yet

    def save(self) -> None:
        try:
            settings = self.ctx.terminal.change_settings(**self.values())
        except BadInput as e:
            self.message.setText(tr("settings_failed", reason=str(e)))
            self.message.setToolTip(str(e))
            set_tone(self.message, "bad")
            return
        self._loaded = self.shown()
        self.saved.emit(settings)  # the window applies the language: texts change now
        self.message.setText(tr("saved"))
        set_tone(self.message, "ok")
