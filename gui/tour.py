"""A scripted walk through every screen, for `run_gui.py --demo --screenshots DIR`.

The door screens come by themselves (the simulated approach wakes the door, the sample
video brings a face); the tour then logs in with the PIN and opens each admin screen, in
both languages, waiting each time until the Screenshotter has saved it. The language
setting is put back at the end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from gui import i18n
from gui.admin_pin import DEFAULT_PIN
from gui.screenshots import Screenshotter
from gui.window import MainWindow

log = logging.getLogger("facegate.gui")

Wait = float | tuple[Callable[[], bool], float]  # seconds, or (condition, timeout)
ADMIN_SCREENS = ("people", "punches", "alerts", "settings", "info")


class Tour(QObject):
    finished = pyqtSignal()

    def __init__(self, window: MainWindow, shots: Screenshotter, pin: str = DEFAULT_PIN) -> None:
        super().__init__(window)
        self.window = window
        self.shots = shots
        self.pin = pin
        self._steps = self._script()
        self._condition: Callable[[], bool] | None = None
        self._deadline = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        if self._condition is not None and not self._condition() and now < self._deadline:
            return
        if self._condition is None and now < self._deadline:
            return
        try:
            step = next(self._steps)
        except StopIteration:
            self.timer.stop()
            self.finished.emit()
            return
        if isinstance(step, tuple):
            self._condition, self._deadline = step[0], now + step[1]
        else:
            self._condition, self._deadline = None, now + step

    def _shot(self, prefix: str, timeout: float = 8.0) -> tuple[Callable[[], bool], float]:
        language = i18n.language()
        return (lambda: any(k.startswith(prefix) and k.endswith(f"-{language}")
                            for k in self.shots.saved), timeout)

    def _script(self) -> Iterator[Wait]:
        w = self.window
        original = w.ctx.terminal.settings().language
        for language in (original, "en" if original == "zh" else "zh"):
            yield from self._door_screens()
            w.ask_pin()
            for digit in self.pin[:3]:
                w.pin.keypad.keys[digit].click()
            yield self._shot("pin-login")
            for digit in self.pin[3:]:
                w.pin.keypad.keys[digit].click()
            w.pin.keypad.keys["OK"].click()
            yield self._shot("admin")
            w.go("enrol")
            w.enrol.staff_id.setText("E100")
            w.enrol.person_name.setText("张伟" if i18n.language() == "zh" else "Zhang Wei")
            yield self._shot("enrol-form")
            w.enrol.start_capture()
            yield self._shot("enrol-camera", timeout=15.0)
            w.enrol.header.back.click()
            for name in ADMIN_SCREENS:
                w.go(name)
                yield self._shot(name)
            if language == original:  # switch: the second round is in the other language
                w.settings._pick_language("en" if original == "zh" else "zh")
                w.settings.save()
            w.go("admin")
            w.admin.logout.emit()
        w.settings._pick_language(original)
        w.settings.save()

    def _door_screens(self) -> Iterator[Wait]:
        yield self._shot("standby", timeout=30.0)
        yield self._shot("live", timeout=40.0)
        yield self._shot("result", timeout=40.0)
