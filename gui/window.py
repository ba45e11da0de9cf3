"""The main window: the Qt view of the navigation model (gui/navigation.py). No rules here.

The model decides which screen is up and loads what it shows; this view switches the
stacked widget when the model says so, hands the screen its data, holds the door while the
admin session lasts, arms one timer for the model's earliest deadline, and tells the model
about touches and door events.
"""

from __future__ import annotations

import logging
import math

from PyQt5.QtCore import QEvent, QObject, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent
from PyQt5.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from device.attendance import DoorDecision
from device.settings import DeviceSettings
from gui import i18n
from gui.context import Context
from gui.navigation import (
    ADMIN_IDLE_SECONDS,
    PIN_IDLE_SECONDS,
    RESULT_SECONDS,
    Navigation,
    PinPurpose,
    ScreenName,
)
from gui.screens.admin_menu import AdminMenuScreen
from gui.screens.alerts import AlertsScreen
from gui.screens.base import Screen
from gui.screens.enrol import EnrolScreen
from gui.screens.info import InfoScreen
from gui.screens.live import LiveScreen
from gui.screens.people import PeopleScreen
from gui.screens.pin import PinMode, PinScreen
from gui.screens.punches import PunchesScreen
from gui.screens.result import ResultScreen
from gui.screens.settings import SettingsScreen
from gui.screens.standby import StandbyScreen
from gui.sealed_images import ImageKind

__all__ = ["ADMIN_IDLE_SECONDS", "PIN_IDLE_SECONDS", "RESULT_SECONDS", "MainWindow"]

log = logging.getLogger("facegate.gui")

_TOUCH_EVENTS = frozenset({QEvent.MouseButtonPress, QEvent.KeyPress, QEvent.TouchBegin})


class MainWindow(QWidget):
    screen_shown = pyqtSignal(str)  # the screen's name

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.nav: Navigation = ctx.nav
        self.setWindowTitle("FaceGate")
        self.setFixedSize(ctx.m.width, ctx.m.height)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack)
        self.standby = StandbyScreen(ctx)
        self.live = LiveScreen(ctx)
        self.result = ResultScreen(ctx)
        self.pin = PinScreen(ctx)
        self.admin = AdminMenuScreen(ctx)
        self.enrol = EnrolScreen(ctx)
        self.people = PeopleScreen(ctx)
        self.punches = PunchesScreen(ctx)
        self.alerts = AlertsScreen(ctx)
        self.settings = SettingsScreen(ctx)
        self.info = InfoScreen(ctx)
        self.screens: dict[str, Screen] = {}
        for screen in (self.standby, self.live, self.result, self.pin, self.admin, self.enrol,
                       self.people, self.punches, self.alerts, self.settings, self.info):
            self.screens[screen.name] = screen
            self.stack.addWidget(screen)
        self.deadline_timer = QTimer(self)
        self.deadline_timer.setSingleShot(True)
        self.deadline_timer.timeout.connect(self.nav.expire)
        self._unsubscribe = [
            self.nav.events.shown.connect(self._shown),
            self.nav.events.left.connect(lambda name: self.screens[name].left()),
            self.nav.events.reloaded.connect(self._reloaded),
            self.nav.events.admin_changed.connect(self._admin_changed),
            self.nav.events.deadlines_changed.connect(self._arm_deadline),
        ]
        self._wire()
        i18n.set_language(ctx.terminal.settings().language)
        self.show_door_view()

    def _wire(self) -> None:
        nav, bridge, watcher = self.nav, self.ctx.bridge, self.ctx.watcher
        bridge.awake.connect(nav.awake_changed)
        bridge.decision.connect(self.show_decision)
        bridge.door.connect(self._door_opened)
        bridge.error.connect(self._door_error)
        watcher.changed.connect(nav.log_changed)
        watcher.library_changed.connect(self.ctx.names.forget)
        watcher.library_changed.connect(lambda: self.ctx.images.forget(ImageKind.CROP))
        self.standby.admin_requested.connect(self.ask_pin)
        self.live.admin_requested.connect(self.ask_pin)
        self.result.dismissed.connect(self.show_door_view)
        self.pin.accepted.connect(self.enter_admin)
        self.pin.cancelled.connect(nav.pin_cancelled)
        self.pin.pin_changed.connect(nav.pin_changed)
        self.admin.logout.connect(self.leave_admin)
        self.admin.open_screen.connect(self.go)
        for screen in (self.enrol, self.people, self.punches, self.alerts, self.settings,
                       self.info):
            screen.back.connect(nav.back)
        self.settings.saved.connect(self.apply_settings)
        self.settings.change_pin.connect(self.ask_new_pin)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- what the model says -------------------------------------------------------------

    @property
    def current(self) -> Screen | None:
        name = self.nav.current
        return None if name is None else self.screens[name]

    @property
    def in_admin(self) -> bool:
        return self.nav.admin.unlocked

    @property
    def result_seconds(self) -> float:
        return self.nav.result_seconds

    @result_seconds.setter
    def result_seconds(self, seconds: float) -> None:
        self.nav.result_seconds = seconds

    def _shown(self, name: ScreenName) -> None:
        screen = self.screens[name]
        if name is ScreenName.PIN:
            self.pin.start(PinMode.LOGIN if self.nav.admin.pin_purpose is PinPurpose.LOGIN
                           else PinMode.NEW)
        self.stack.setCurrentWidget(screen)
        screen.data = self.nav.data.get(name)
        screen.retranslate()  # the texts, and what the data says, in the language of now
        screen.entered()
        self.screen_shown.emit(name.value)

    def _reloaded(self, name: ScreenName) -> None:
        self.screens[name].show_data(self.nav.data.get(name))

    def _admin_changed(self, unlocked: bool) -> None:
        if unlocked:
            self.ctx.door.hold()
        else:
            self.ctx.door.release()

    def _arm_deadline(self, _: None = None) -> None:
        seconds = self.nav.seconds_to_next_deadline()
        if seconds is None:
            self.deadline_timer.stop()
        else:
            self.deadline_timer.start(math.ceil(seconds * 1000))

    # -- what the view tells the model ---------------------------------------------------

    def go(self, name: str) -> None:
        self.nav.go(name)

    def show_door_view(self) -> None:
        self.nav.show_door_view()

    def show_decision(self, decision: DoorDecision) -> None:
        self.nav.show_decision(decision)

    def _door_opened(self, event: dict) -> None:
        self.nav.door_opened(event.get("reason", ""), event.get("person_id"))

    def _door_error(self, message: str) -> None:
        self.nav.door_error(message)

    def ask_pin(self) -> None:
        self.nav.ask_pin()

    def ask_new_pin(self) -> None:
        self.nav.ask_new_pin()

    def enter_admin(self) -> None:
        self.nav.unlock()

    def leave_admin(self) -> None:
        self.nav.logout()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _TOUCH_EVENTS:
            self.nav.touch()
        return False

    def apply_settings(self, settings: DeviceSettings) -> None:
        self.ctx.door.apply_settings(settings)
        if settings.language != i18n.language():
            i18n.set_language(settings.language)
            if self.current is not None:
                self.current.retranslate()
                self.screen_shown.emit(self.current.name)

    def closeEvent(self, event: QCloseEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.deadline_timer.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for screen in self.screens.values():
            screen.left()
        super().closeEvent(event)
