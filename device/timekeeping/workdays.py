"""Which work day a punch belongs to.

A person's work day D is the half-open span of instants [open(D), open(D + 1)). Normally
open(D) is the site's day boundary (default 04:00) on D, so a punch at 02:00 counts for the
day before. A shift must not be cut in two by it, so when the person's shift(s) of D - 1
end after that boundary (an overnight shift 22:00-06:00), or their shift(s) of D start
before it (a shift at 03:00), D opens instead halfway between the latest end of D - 1's
shifts and the earliest start of D's. A side without a shift borrows the other side's
shift on its own day: after a night shift 22:00-06:00 followed by a rest day without a
shift, the next day opens at 14:00 (halfway through the 06:00-22:00 gap).

A shift's times frame its days even when it is not worked (rest days, holidays), so an
overnight shift worked on a rest day is one day, not two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from device.timekeeping.shifts import Shift, ShiftInstance
from device.timekeeping.timezone import wall_instant

__all__ = ["openings"]

Instance = Callable[[Shift, dt.date], ShiftInstance]


def _opening(zone: dt.tzinfo, boundary: dt.time, instance: Instance, day: dt.date,
             before: Sequence[Shift], after: Sequence[Shift]) -> float:
    """open(day), given the shifts of the day before and of the day itself."""
    nominal = wall_instant(zone, day, boundary)
    previous = day - dt.timedelta(days=1)
    latest_end = max((instance(s, previous).end for s in before), default=None)
    earliest_start = min((instance(s, day).start for s in after), default=None)
    if ((latest_end is None or latest_end <= nominal)
            and (earliest_start is None or earliest_start >= nominal)):
        return nominal
    if latest_end is None:
        latest_end = max(instance(s, previous).end for s in after)
    if earliest_start is None:
        earliest_start = min(instance(s, day).start for s in before)
    return latest_end + (earliest_start - latest_end) / 2


def openings(zone: dt.tzinfo, boundary: dt.time, instance: Instance, first: dt.date,
             shifts: Sequence[Sequence[Shift]]) -> list[float]:
    """open(D) for D = first .. first + len(shifts) - 1.

    `shifts[i]` are the person's shifts on `first + i - 1`: one more day at the front than
    the result (the day before `first`). The result is strictly increasing.
    """
    result: list[float] = []
    for i in range(1, len(shifts)):
        day = first + dt.timedelta(days=i - 1)
        cut = _opening(zone, boundary, instance, day, shifts[i - 1], shifts[i])
        if result and cut <= result[-1]:  # cannot happen with shifts of at most a day
            cut = result[-1] + 1
        result.append(cut)
    return result
