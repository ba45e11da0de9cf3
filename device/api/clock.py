"""Seed 001's update_sys_time body: {"date": "2022-04-18", "time": "15:56:00"}, local time.

Setting the clock itself is the core's (Terminal.set_clock, device/clock.py).
"""

from __future__ import annotations

import datetime as dt

from device.errors import BadInput


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

