"""What each screen shows, read through device/queries.py: one read per call. Qt-free.

The navigation model (gui/navigation.py) calls these once per navigation, and again only
when the visible screen asks (its controls, its timer, a change in the log). Sealed images
(alert snapshots, face crops) are not read here: gui/sealed_images.py decrypts them off the
GUI thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from device.queries import (
    AlertPage,
    DeviceStatus,
    PeoplePage,
    PunchPage,
    SyncStatus,
    count_open_alerts,
    find_alerts,
    find_people,
    find_punches,
    read_device_status,
    read_sync_status,
)
from device.settings import DeviceSettings
from device.terminal import Terminal
from gui.periods import PunchFilter

PEOPLE_ROWS = 200  # a finger cannot scroll through 10,000 rows anyway: the search narrows it
PUNCH_ROWS = 500
ALERT_ROWS = 200


@dataclass(frozen=True)
class StandbyData:
    device_name: str
    sync: SyncStatus


@dataclass(frozen=True)
class PunchesData:
    punch_filter: PunchFilter
    today: dt.date  # the day the filter was resolved against
    page: PunchPage


class ScreenReads:
    """gui.navigation.Reads over a Terminal's database."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal

    def standby(self) -> StandbyData:
        t = self.terminal
        return StandbyData(t.settings().device_name,
                           read_sync_status(t.database.engine, t.device_id))

    def open_alerts(self) -> int:
        return count_open_alerts(self.terminal.database.engine)

    def people(self, search: str) -> PeoplePage:
        return find_people(self.terminal.database.engine, search, PEOPLE_ROWS)

    def punches(self, punch_filter: PunchFilter) -> PunchesData:
        today = dt.date.today()
        start, end = punch_filter.bounds(today)
        return PunchesData(punch_filter, today,
                           find_punches(self.terminal.database.engine, start, end, PUNCH_ROWS))

    def alerts(self, only_open: bool) -> AlertPage:
        return find_alerts(self.terminal.database.engine, only_open, ALERT_ROWS)

    def settings(self) -> DeviceSettings:
        return self.terminal.settings()

    def info(self) -> DeviceStatus:
        return read_device_status(self.terminal)
