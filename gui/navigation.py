"""Which screen is up, the way back, the admin session, and what each screen shows. Qt-free.

The touchscreen's navigation as a plain model (napari style): state and rules here, plain
Python callbacks to tell the view, no Qt and no SQL. `gui/window.py` is the thin Qt view
that subscribes to it (it switches the stacked widget, runs one QTimer for the deadlines
and forwards touches); the screens render what the model loaded for them.

- A navigation loads the new screen's data once, through `Reads` (`gui/reads.py`, over
  `device/queries.py`), before the screen is shown; the screen renders from that and
  never reads the database itself. A screen's own controls (a search, a date filter) and a
  change in the log reload only the visible screen, again once.
- Door mode: standby while nobody is there, live while someone is, the result for
  `result_seconds` after each door decision, door opening or relay fault.
- Admin mode starts with the PIN; while it lasts the door is held (the view holds it on
  `admin_changed`), and it ends on log-out or after `admin_idle_seconds` without a touch.
  The admin screens form a back stack above the admin menu.
- Time: deadlines (result, idle, the pause after a changed PIN) are instants on `clock`;
  the view arms a timer for the earliest and calls `expire()`, a test just moves the clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from device import messages
from device.messages import Notice, Said
from device.recognition.decision import AccessReason
from gui.periods import Period, PunchFilter

if TYPE_CHECKING:
    from device.attendance import DoorDecision
    from device.queries import AlertPage, DeviceStatus, PeoplePage
    from device.settings import DeviceSettings
    from gui.reads import PunchesData, StandbyData

log = logging.getLogger("facegate.gui")

RESULT_SECONDS = 4.0
ADMIN_IDLE_SECONDS = 120.0
PIN_IDLE_SECONDS = 30.0
PIN_CHANGED_PAUSE_SECONDS = 1.2
DUE_SLACK_SECONDS = 0.001  # a timer that fires this early still counts as on time

T = TypeVar("T")


class Callbacks(Generic[T]):
    """One kind of event of the model: plain callables, called in the order connected."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[T], object]] = []

    def connect(self, callback: Callable[[T], object]) -> Callable[[], None]:
        """Call `callback(value)` on every emit; returns the disconnector."""
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback)

    def emit(self, value: T) -> None:
        for callback in list(self._callbacks):
            callback(value)


class ScreenName(StrEnum):
    STANDBY = "standby"
    LIVE = "live"
    RESULT = "result"
    PIN = "pin"
    ADMIN = "admin"
    ENROL = "enrol"
    PEOPLE = "people"
    PUNCHES = "punches"
    ALERTS = "alerts"
    SETTINGS = "settings"
    INFO = "info"


DOOR_SCREENS = frozenset({ScreenName.STANDBY, ScreenName.LIVE, ScreenName.RESULT})
ADMIN_SCREENS = frozenset({ScreenName.ENROL, ScreenName.PEOPLE, ScreenName.PUNCHES,
                           ScreenName.ALERTS, ScreenName.SETTINGS, ScreenName.INFO})
#: Screens that follow the log: when anything is appended (here or by the sync agent) their
#: data is read again while they are up. The settings screen is not among them: it would
#: overwrite what the administrator is changing.
FOLLOWS_LOG = frozenset({ScreenName.STANDBY, ScreenName.PEOPLE, ScreenName.PUNCHES,
                         ScreenName.ALERTS})


class PinPurpose(StrEnum):
    LOGIN = "login"  # from a door screen: the PIN opens the admin menu
    CHANGE = "change"  # from the settings: a new PIN, entered twice


class Deadline(StrEnum):
    RESULT = "result"  # the result screen goes back to the door view
    IDLE = "idle"  # no touch for this long: the PIN pad or the admin session ends
    PIN_CHANGED = "pin_changed"  # "PIN changed" has been read: back to the settings


@dataclass
class AdminSession:
    unlocked: bool = False  # the PIN was right: the admin screens are open, the door held
    pin_purpose: PinPurpose = PinPurpose.LOGIN


# -- what the result screen shows ----------------------------------------------------------


@dataclass(frozen=True)
class DecisionShown:
    """A door decision: who it was and what happened (or a stranger, with the alert)."""

    decision: DoorDecision


@dataclass(frozen=True)
class DoorOpenedShown:
    """The relay took a pulse for something other than a recognised face (a fleet command)."""

    reason: str
    person_id: str | None
    time: float


@dataclass(frozen=True)
class FaultShown:
    """A door fault the core reported (the relay failed), as its code and values."""

    fault: Said
    time: float


ResultContent = DecisionShown | DoorOpenedShown | FaultShown


class Reads(Protocol):
    """What the screens show; each call is one read (gui/reads.py: device/queries.py)."""

    def standby(self) -> StandbyData: ...
    def open_alerts(self) -> int: ...
    def people(self, search: str) -> PeoplePage: ...
    def punches(self, punch_filter: PunchFilter) -> PunchesData: ...
    def alerts(self, only_open: bool) -> AlertPage: ...
    def settings(self) -> DeviceSettings: ...
    def info(self) -> DeviceStatus: ...


@dataclass
class _Events:
    shown: Callbacks[ScreenName] = field(default_factory=Callbacks)  # now visible, data loaded
    left: Callbacks[ScreenName] = field(default_factory=Callbacks)  # another one is visible
    reloaded: Callbacks[ScreenName] = field(default_factory=Callbacks)  # same screen, new data
    admin_changed: Callbacks[bool] = field(default_factory=Callbacks)  # unlocked or not
    deadlines_changed: Callbacks[None] = field(default_factory=Callbacks)


class Navigation:
    def __init__(self, reads: Reads, is_awake: Callable[[], bool],
                 clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 result_seconds: float | None = None, admin_idle_seconds: float | None = None,
                 pin_idle_seconds: float | None = None,
                 pin_changed_pause_seconds: float | None = None) -> None:
        """`is_awake`: someone is at the door (the door service's flag). `clock` times the
        deadlines, `wall_clock` stamps what the result screen shows. Durations left out are
        this module's constants as they are when the model is made."""
        self.reads = reads
        self.is_awake = is_awake
        self.clock = clock
        self.wall_clock = wall_clock
        self.result_seconds = RESULT_SECONDS if result_seconds is None else result_seconds
        self.admin_idle_seconds = (ADMIN_IDLE_SECONDS if admin_idle_seconds is None
                                   else admin_idle_seconds)
        self.pin_idle_seconds = PIN_IDLE_SECONDS if pin_idle_seconds is None else pin_idle_seconds
        self.pin_changed_pause_seconds = (PIN_CHANGED_PAUSE_SECONDS
                                          if pin_changed_pause_seconds is None
                                          else pin_changed_pause_seconds)
        self.events = _Events()
        self.current: ScreenName | None = None
        self.back_stack: list[ScreenName] = []
        self.admin = AdminSession()
        self.deadlines: dict[Deadline, float] = {}
        self.data: dict[ScreenName, Any] = {}  # what each screen showed last
        self.result: ResultContent | None = None
        # what the screens' own controls ask for
        self.people_search = ""
        self.punch_filter = PunchFilter(Period.DAY)
        self.alerts_open_only = True

    # -- showing a screen ----------------------------------------------------------------

    def _load(self, name: ScreenName) -> Any:
        """The screen's data: one read (None for screens that show no records)."""
        r = self.reads
        if name is ScreenName.STANDBY:
            return r.standby()
        if name is ScreenName.ADMIN:
            return r.open_alerts()
        if name is ScreenName.PEOPLE:
            return r.people(self.people_search)
        if name is ScreenName.PUNCHES:
            return r.punches(self.punch_filter)
        if name is ScreenName.ALERTS:
            return r.alerts(self.alerts_open_only)
        if name is ScreenName.SETTINGS:
            return r.settings()
        if name is ScreenName.INFO:
            return r.info()
        if name is ScreenName.RESULT:
            return self.result
        return None

    def _show(self, name: ScreenName) -> None:
        previous = self.current
        if previous is not None and previous is not name:
            if previous is ScreenName.PIN:
                self._drop(Deadline.PIN_CHANGED)
            self.events.left.emit(previous)
        self.data[name] = self._load(name)
        self.current = name
        self.events.shown.emit(name)

    def go(self, name: ScreenName | str) -> None:
        """Open a screen. From the admin menu or an admin screen the one left is stacked
        (back() returns to it); a screen already on the stack is returned to."""
        name = ScreenName(name)
        if name in self.back_stack:
            del self.back_stack[self.back_stack.index(name):]
        elif self.current is not None and self.current is not name and (
                self.current is ScreenName.ADMIN or self.current in ADMIN_SCREENS):
            self.back_stack.append(self.current)
        self._show(name)

    def back(self) -> None:
        """The screen below on the stack; with none, the admin menu (or the door)."""
        if self.back_stack:
            self._show(self.back_stack.pop())
        elif self.admin.unlocked:
            self._show(ScreenName.ADMIN)
        else:
            self.show_door_view()

    def reload(self) -> None:
        """Read the visible screen's data again (its controls changed, or a timer asks)."""
        name = self.current
        if name is None:
            return
        self.data[name] = self._load(name)
        self.events.reloaded.emit(name)

    def log_changed(self, _head: object = None) -> None:
        """Something was appended to the log: screens that follow it read again."""
        if self.current in FOLLOWS_LOG:
            self.reload()

    # -- what the screens' controls ask for ---------------------------------------------

    def set_people_search(self, text: str) -> None:
        self.people_search = text
        if self.current is ScreenName.PEOPLE:
            self.reload()

    def set_punch_filter(self, punch_filter: PunchFilter) -> None:
        self.punch_filter = punch_filter
        if self.current is ScreenName.PUNCHES:
            self.reload()

    def set_alerts_open_only(self, only_open: bool) -> None:
        self.alerts_open_only = only_open
        if self.current is ScreenName.ALERTS:
            self.reload()

    # -- door mode -----------------------------------------------------------------------

    def show_door_view(self) -> None:
        """Standby or live, as the door is; not while an administrator is in."""
        if self.admin.unlocked:
            return
        self._drop(Deadline.RESULT)
        self.back_stack.clear()
        self._show(ScreenName.LIVE if self.is_awake() else ScreenName.STANDBY)

    def awake_changed(self, _awake: object = None) -> None:
        if self.current in (ScreenName.STANDBY, ScreenName.LIVE):
            self.show_door_view()

    def show_decision(self, decision: DoorDecision) -> None:
        if self.admin.unlocked or self.current is ScreenName.PIN:
            return
        self._show_result(DecisionShown(decision))

    def door_opened(self, reason: str, person_id: str | None) -> None:
        if reason == AccessReason.RECOGNISED or self.admin.unlocked:
            return  # the decision's own result already says so
        self._show_result(DoorOpenedShown(reason, person_id, self.wall_clock()))

    def door_error(self, message: str) -> None:
        """A door error: the person sees it if the relay failed (the door stays shut)."""
        log.warning("door: %s", message)
        fault = messages.identify(message, [Notice.RELAY_FAILED])
        if fault is not None and not self.admin.unlocked:
            self._show_result(FaultShown(fault, self.wall_clock()))

    def _show_result(self, content: ResultContent) -> None:
        self.result = content
        self._show(ScreenName.RESULT)
        self._set(Deadline.RESULT, self.result_seconds)

    # -- admin mode ----------------------------------------------------------------------

    def ask_pin(self) -> None:
        """The PIN pad for logging in (from a door screen)."""
        self._drop(Deadline.RESULT)
        self.admin.pin_purpose = PinPurpose.LOGIN
        self.back_stack.clear()
        self._show(ScreenName.PIN)
        self._set(Deadline.IDLE, self.pin_idle_seconds)

    def ask_new_pin(self) -> None:
        """The PIN pad for a new PIN (from the settings, which it returns to)."""
        self.admin.pin_purpose = PinPurpose.CHANGE
        self.go(ScreenName.PIN)

    def pin_cancelled(self) -> None:
        if self.admin.pin_purpose is PinPurpose.CHANGE:
            self.back()
        else:
            self._drop(Deadline.IDLE)
            self.show_door_view()

    def pin_changed(self) -> None:
        """The new PIN is stored: say so for a moment, then back to the settings."""
        self._set(Deadline.PIN_CHANGED, self.pin_changed_pause_seconds)

    def unlock(self) -> None:
        """The PIN was right: the admin menu, the door held."""
        self.admin.unlocked = True
        self.events.admin_changed.emit(True)
        self._set(Deadline.IDLE, self.admin_idle_seconds)
        self.back_stack.clear()
        self._show(ScreenName.ADMIN)

    def logout(self) -> None:
        self.admin.unlocked = False
        self.admin.pin_purpose = PinPurpose.LOGIN
        self._drop(Deadline.IDLE)
        self.back_stack.clear()
        self.events.admin_changed.emit(False)
        self.show_door_view()

    def touch(self) -> None:
        """A touch or a key: the idle deadline, if one runs, starts again."""
        if Deadline.IDLE in self.deadlines:
            self._set(Deadline.IDLE, self.admin_idle_seconds if self.admin.unlocked
                      else self.pin_idle_seconds)

    # -- deadlines -----------------------------------------------------------------------

    def _set(self, deadline: Deadline, seconds: float) -> None:
        self.deadlines[deadline] = self.clock() + seconds
        self.events.deadlines_changed.emit(None)

    def _drop(self, deadline: Deadline) -> None:
        if self.deadlines.pop(deadline, None) is not None:
            self.events.deadlines_changed.emit(None)

    def seconds_to_next_deadline(self) -> float | None:
        """How long until the earliest deadline (0 if one is due); None if none runs."""
        if not self.deadlines:
            return None
        return max(0.0, min(self.deadlines.values()) - self.clock())

    def expire(self) -> None:
        """Act on every deadline that is due (the view's timer fired)."""
        now = self.clock()
        for deadline, at in sorted(self.deadlines.items(), key=lambda item: item[1]):
            if at - DUE_SLACK_SECONDS > now or self.deadlines.get(deadline) != at:
                continue  # not yet, or already replaced by what an earlier one did
            del self.deadlines[deadline]
            if deadline is Deadline.RESULT:
                self.show_door_view()
            elif deadline is Deadline.IDLE:
                if self.admin.unlocked:
                    self.logout()
                elif self.current is ScreenName.PIN:
                    self.show_door_view()
            elif self.current is ScreenName.PIN:  # PIN_CHANGED
                self.back()
        self.events.deadlines_changed.emit(None)
