"""Setting the device clock: one code path (the touchscreen, HTTP's update_sys_time and the
fleet's set_time all come here) and one switch.

On a developer's machine the clock is never touched: the answer says what would be done.
A device enables it with FACEGATE_ALLOW_SET_TIME=1 (the process needs CAP_SYS_TIME);
FACEGATE_API_ALLOW_CLOCK_SET=1, the HTTP API's older name for it, still works.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

from device.errors import FaceGateError

ALLOW_ENV = "FACEGATE_ALLOW_SET_TIME"
OLDER_ALLOW_ENV = "FACEGATE_API_ALLOW_CLOCK_SET"
_YES = {"1", "true", "yes", "on"}


class ClockError(FaceGateError):
    """The clock could not be set (permissions, platform)."""


@dataclass(frozen=True)
class ClockChange:
    requested: float
    previous: float
    applied: bool
    command: str  # what an installer would type to do the same

    @property
    def offset_seconds(self) -> float:
        return self.requested - self.previous


def setting_allowed(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return any(env.get(name, "").strip().lower() in _YES for name in (ALLOW_ENV, OLDER_ALLOW_ENV))


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
