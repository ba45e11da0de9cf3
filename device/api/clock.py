"""Setting the device clock (seed 001's update_sys_time), a dry run unless allowed.

On a developer's machine the clock is never touched: the request is answered with what
would be done. A device enables the real path with FACEGATE_API_ALLOW_CLOCK_SET=1 (the
process needs CAP_SYS_TIME). This belongs in the Terminal next to the other operations.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from device.api.errors import ApiError
from device.errors import BadInput


class ClockError(ApiError):
    """The clock could not be set (permissions, platform)."""

    status, code = 503, "clock_error"


@dataclass(frozen=True)
class ClockChange:
    requested: float
    previous: float
    applied: bool
    command: str

    @property
    def offset_seconds(self) -> float:
        return self.requested - self.previous


def requested_time(date: str | None, clock: str | None) -> float:
    """Epoch seconds from seed 001's {"date": "2022-04-18", "time": "15:56:00"} (local time)."""
    if not date or not clock:
        raise BadInput('give both "date" (YYYY-MM-DD) and "time" (HH:MM:SS)')
    try:
        day = dt.date.fromisoformat(date.strip())
        hour = dt.time.fromisoformat(clock.strip())
        when = dt.datetime.combine(day, hour)
        if when.tzinfo is None:
            when = when.astimezone()
        seconds = when.timestamp()
    except (ValueError, OverflowError, OSError) as e:
        raise BadInput(f"not a valid date and time: {date!r} {clock!r}") from e
    if not dt.datetime(2000, 1, 1).timestamp() <= seconds <= dt.datetime(2100, 1, 1).timestamp():
        raise BadInput("the time must be between 2000 and 2100")
    return seconds


def set_clock(requested: float, allowed: bool) -> ClockChange:
    local = dt.datetime.fromtimestamp(requested).strftime("%Y-%m-%d %H:%M:%S")
    command = f"date -s '{local}'"
    previous = time.time()
    if not allowed:
        return ClockChange(requested, previous, False, command)
    try:
        time.clock_settime(time.CLOCK_REALTIME, requested)
    except PermissionError as e:
        raise ClockError("cannot set the clock: permission denied (the process needs "
                         "CAP_SYS_TIME, e.g. run as root)") from e
    except (AttributeError, OSError) as e:
        raise ClockError(f"cannot set the clock on this system: {e}") from e
    return ClockChange(requested, previous, True, command)
