"""The main window: which screen is up, and when it changes. No business rules here.

Door mode follows the service: standby while nobody is there, live while someone is, the
result for a few seconds after each decision. Admin mode starts with the PIN; while it
lasts the door is held (no recognition, no punches, no alerts), and it ends on log-out or
after ADMIN_IDLE_SECONDS without a touch.
"""

from __future__ import annotations

import logging
import time

from PyQt5.QtCore import QEvent, QObject, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent
from PyQt5.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from device import messages
from device.attendance import AccessReason, DoorDecision
from device.messages import Notice
from device.settings import DeviceSettings
from gui import i18n
from gui.context import Context
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

log = logging.getLogger("facegate.gui")

RESULT_SECONDS = 4.0
ADMIN_IDLE_SECONDS = 120.0
PIN_IDLE_SECONDS = 30.0
PIN_CHANGED_PAUSE_MS = 1200
_TOUCH_EVENTS = frozenset({QEvent.MouseButtonPress, QEvent.KeyPress, QEvent.TouchBegin})


class MainWindow(QWidget):
    screen_shown = pyqtSignal(str)  # the screen's name

    def __init__(self, ctx: Context, result_seconds: float = RESULT_SECONDS) -> None:
        super().__init__()
        self.ctx = ctx
        self.result_seconds = result_seconds
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
        self.current: Screen | None = None
        self.in_admin = False
        self._pin_for_change = False
        self.result_timer = QTimer(self)
        self.result_timer.setSingleShot(True)
        self.result_timer.timeout.connect(self.show_door_view)
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle)
        self._wire()
        i18n.set_language(ctx.terminal.settings().language)
        self.show_door_view()

    def _wire(self) -> None:
        bridge = self.ctx.bridge
        bridge.awake.connect(self._awake_changed)
        bridge.decision.connect(self.show_decision)
        bridge.door.connect(self._door_opened)
        bridge.error.connect(self._door_error)
        self.ctx.watcher.library_changed.connect(self.ctx.names.forget)
        self.standby.admin_requested.connect(self.ask_pin)
        self.live.admin_requested.connect(self.ask_pin)
        self.result.dismissed.connect(self.show_door_view)
        self.pin.accepted.connect(self.enter_admin)
        self.pin.cancelled.connect(self._pin_cancelled)
        self.pin.pin_changed.connect(
            lambda: QTimer.singleShot(PIN_CHANGED_PAUSE_MS, lambda: self.go("settings")))
        self.admin.logout.connect(self.leave_admin)
        self.admin.open_screen.connect(self.go)
        for screen in (self.enrol, self.people, self.punches, self.alerts, self.settings,
                       self.info):
            screen.back.connect(lambda: self.go("admin"))
        self.settings.saved.connect(self.apply_settings)
        self.settings.change_pin.connect(self.ask_new_pin)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # -- navigation ----------------------------------------------------------------------

    def go(self, name: str) -> None:
        screen = self.screens[name]
        if self.current is not None and self.current is not screen:
            self.current.left()
        self.current = screen
        self.stack.setCurrentWidget(screen)
        screen.retranslate()
        screen.refresh()
        screen.entered()
        self.screen_shown.emit(name)

    def show_door_view(self) -> None:
        if self.in_admin:
            return
        self.result_timer.stop()
        self.go("live" if self.ctx.door.service.awake else "standby")

    def _awake_changed(self, _awake: bool) -> None:
        if self.current in (self.standby, self.live):
            self.show_door_view()

    def show_decision(self, decision: DoorDecision) -> None:
        if self.in_admin or self.current in (self.pin,):
            return
        self.result.show_decision(decision)
        self._show_result()

    def _door_opened(self, event: dict) -> None:
        if event.get("reason") == AccessReason.RECOGNISED or self.in_admin:
            return  # the decision's own result already says so
        self.result.show_door(event.get("reason", ""), event.get("person_id"), time.time())
        self._show_result()

    def _door_error(self, message: str) -> None:
        """A door error: the person sees it if the relay failed (the door stays shut)."""
        log.warning("door: %s", message)
        fault = messages.identify(message, [Notice.RELAY_FAILED])
        if fault is not None and not self.in_admin:
            self.result.show_error(fault, time.time())
            self._show_result()

    def _show_result(self) -> None:
        self.go("result")
        self.result_timer.start(round(self.result_seconds * 1000))

    # -- admin ---------------------------------------------------------------------------

    def ask_pin(self) -> None:
        self.result_timer.stop()
        self._pin_for_change = False
        self.pin.start(PinMode.LOGIN)
        self.go("pin")
        self.idle_timer.start(round(PIN_IDLE_SECONDS * 1000))

    def ask_new_pin(self) -> None:
        self._pin_for_change = True
        self.pin.start(PinMode.NEW)
        self.go("pin")

    def _pin_cancelled(self) -> None:
        if self._pin_for_change:
            self.go("settings")
        else:
            self.idle_timer.stop()
            self.show_door_view()

    def enter_admin(self) -> None:
        self.in_admin = True
        self.ctx.door.hold()
        self.idle_timer.start(round(ADMIN_IDLE_SECONDS * 1000))
        self.go("admin")

    def leave_admin(self) -> None:
        self.in_admin = False
        self.idle_timer.stop()
        self.ctx.door.release()
        self.show_door_view()

    def _idle(self) -> None:
        if self.in_admin:
            self.leave_admin()
        elif self.current is self.pin:
            self.show_door_view()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _TOUCH_EVENTS and self.idle_timer.isActive():
            seconds = ADMIN_IDLE_SECONDS if self.in_admin else PIN_IDLE_SECONDS
            self.idle_timer.start(round(seconds * 1000))
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
        for screen in self.screens.values():
            screen.left()
        super().closeEvent(event)
