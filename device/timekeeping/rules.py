"""Everything a report is computed from besides the punches, checked as a whole."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from device.timekeeping.assignments import Assignment, Schedule
from device.timekeeping.calendar import WorkCalendar
from device.timekeeping.errors import RuleError
from device.timekeeping.shifts import Shift
from device.timekeeping.timezone import site_zone

__all__ = ["CalculationMode", "Rules"]

T = TypeVar("T")


class CalculationMode(StrEnum):
    #: The first punch of the work day is the in, the last the out: door and status ignored.
    FIRST_IN_LAST_OUT = "first_in_last_out"
    #: Punches paired by their in/out status, each pair's time summed.
    EACH_CHECK = "each_check"


def _mode(value: object) -> CalculationMode:
    try:
        return CalculationMode(str(value))
    except ValueError:
        raise RuleError(f"calculation mode {value!r}: use "
                        f"{' or '.join(m.value for m in CalculationMode)}") from None


@dataclass(frozen=True, eq=False)
class Rules:
    """Shifts, their assignments, the calendar, the site's zone and the calculation mode.

    Building one checks everything that can be checked without the people (RuleError):
    every shift (shifts.py), duplicate shift names, an assignment naming an unknown shift
    or overlapping another of its kind for the same target, the time zone, the mode.
    """

    timezone: str
    shifts: tuple[Shift, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    mode: CalculationMode = CalculationMode.FIRST_IN_LAST_OUT
    zone: zoneinfo.ZoneInfo = field(init=False, repr=False)
    by_name: Mapping[str, Shift] = field(init=False, repr=False)
    schedule: Schedule = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", site_zone(self.timezone))
        object.__setattr__(self, "mode", _mode(self.mode))
        shifts = _tuple(self.shifts, "shifts")
        by_name: dict[str, Shift] = {}
        for shift in shifts:
            if not isinstance(shift, Shift):
                raise RuleError("shifts must be Shift records")
            if shift.name in by_name:
                raise RuleError(f"two shifts are named {shift.name!r}")
            by_name[shift.name] = shift
        object.__setattr__(self, "shifts", shifts)
        object.__setattr__(self, "by_name", MappingProxyType(by_name))
        assignments = _tuple(self.assignments, "assignments")
        object.__setattr__(self, "assignments", assignments)
        object.__setattr__(self, "schedule", Schedule(assignments, by_name))
        if not isinstance(self.calendar, WorkCalendar):
            raise RuleError("calendar must be a WorkCalendar")

    def local(self, instant: float) -> dt.datetime:
        """The instant in the site's zone, with its offset."""
        return dt.datetime.fromtimestamp(instant, self.zone)


def _tuple(values: Iterable[T], what: str) -> tuple[T, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise RuleError(f"{what}: give a list")
    return tuple(values)
