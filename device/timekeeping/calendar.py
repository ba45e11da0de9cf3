"""The site's calendar: public holidays, make-up work days, and the day boundary.

- A holiday (date -> name) is a day off for everyone: nobody is absent, and every minute
  worked on it is overtime.
- A make-up work day (调休上班: a Saturday worked in exchange for a bridge day off) is a
  work day for every shift, whatever its weekdays. A date cannot be both.
- Otherwise a day is a work day or a rest day by the weekdays of the person's shift.
- The day boundary (default 04:00) is when one work day ends and the next begins: a punch
  at 02:00 belongs to the previous work day. A shift that would straddle it (an overnight
  shift ending at 06:00) moves it for the people working that shift (device/timekeeping/
  workdays.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from device.timekeeping.errors import RuleError
from device.timekeeping.shifts import Shift, format_time, parse_time

__all__ = ["DEFAULT_DAY_BOUNDARY", "DayKind", "WorkCalendar", "parse_date"]

DEFAULT_DAY_BOUNDARY = dt.time(4, 0)


class DayKind(StrEnum):
    WORK = "work"
    REST = "rest"
    HOLIDAY = "holiday"


def _check_date(value: object, what: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleError(f"{what}: must be a date (YYYY-MM-DD)")
    return value


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    make_up_days: frozenset[dt.date] = frozenset()
    day_boundary: dt.time = DEFAULT_DAY_BOUNDARY

    def __post_init__(self) -> None:
        if not isinstance(self.holidays, Mapping):
            raise RuleError("holidays: give a mapping of date to name")
        holidays: dict[dt.date, str] = {}
        for day, name in self.holidays.items():
            _check_date(day, "holiday")
            if not isinstance(name, str):
                raise RuleError(f"holiday {day.isoformat()}: its name must be text")
            holidays[day] = name.strip()
        object.__setattr__(self, "holidays", MappingProxyType(holidays))
        if not isinstance(self.make_up_days, Iterable):
            raise RuleError("make-up work days: give a set of dates")
        make_up = frozenset(_check_date(d, "make-up work day") for d in self.make_up_days)
        object.__setattr__(self, "make_up_days", make_up)
        both = sorted(make_up & holidays.keys())
        if both:
            raise RuleError(f"{both[0].isoformat()} is both a holiday and a make-up work day")
        boundary = self.day_boundary
        if (not isinstance(boundary, dt.time) or boundary.tzinfo is not None
                or boundary.second or boundary.microsecond):
            raise RuleError("day boundary: give a wall-clock time in whole minutes (HH:MM)")

    def kind(self, day: dt.date, shift: Shift) -> DayKind:
        """Holiday, work day or rest day for someone on `shift` (the shift started on `day`)."""
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day in self.make_up_days or day.weekday() in shift.days:
            return DayKind.WORK
        return DayKind.REST

    def as_payload(self) -> dict[str, object]:
        return {"holidays": {d.isoformat(): n for d, n in sorted(self.holidays.items())},
                "make_up_days": sorted(d.isoformat() for d in self.make_up_days),
                "day_boundary": format_time(self.day_boundary)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> WorkCalendar:
        holidays = payload.get("holidays", {})
        make_up = payload.get("make_up_days", [])
        boundary = payload.get("day_boundary", format_time(DEFAULT_DAY_BOUNDARY))
        if not isinstance(holidays, Mapping) or not isinstance(make_up, list):
            raise RuleError("calendar: holidays are {date: name}, make-up days a list of dates")
        if not isinstance(boundary, str):
            raise RuleError("calendar: the day boundary is HH:MM text")
        return cls({parse_date(str(d), "holiday"): str(n) for d, n in holidays.items()},
                   frozenset(parse_date(str(d), "make-up work day") for d in make_up),
                   parse_time(boundary, "day boundary"))


def parse_date(text: str, what: str = "date") -> dt.date:
    """YYYY-MM-DD as a date, or RuleError naming `what`."""
    try:
        if not isinstance(text, str) or len(text.strip()) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise RuleError(f"{what} {text!r}: give a date as YYYY-MM-DD") from None
