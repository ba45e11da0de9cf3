"""Named shifts: start and end (possibly crossing midnight), late and early-leave
allowances, unpaid breaks, the weekdays they are worked on; and where one lands in time on
a given day.

Times are whole minutes of the site's wall clock. A shift lasts from `start` to `end` on the
same day, or, when `overnight` is set, to `end` on the next day (22:00-06:00). Its nominal
length (`length_minutes`) is the wall-clock difference; on the night clocks change the
real length differs, and every figure uses the real one (`ShiftInstance`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

from device.errors import BadInput
from device.ids import check_name
from device.timekeeping.errors import RuleError
from device.timekeeping.timezone import wall_instant

__all__ = ["MON_FRI", "WEEKDAY_NAMES", "Break", "Shift", "ShiftInstance", "format_time",
           "format_weekdays", "parse_time", "parse_weekdays"]

#: date.weekday() order: 0 is Monday.
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MON_FRI: frozenset[int] = frozenset(range(5))
DAY_MINUTES = 24 * 60

_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def parse_time(text: str, what: str = "time") -> dt.time:
    """`HH:MM` (24-hour clock, 00:00-23:59) as a time, or RuleError."""
    match = _TIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise RuleError(f"{what} {text!r}: give HH:MM on a 24-hour clock, e.g. 09:00")
    return dt.time(int(match.group(1)), int(match.group(2)))


def format_time(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def parse_weekdays(text: str) -> frozenset[int]:
    """`mon-fri`, `mon,wed,fri`, `sat-sun`, `fri-mon` (wraps), `mon-fri,sun`, `all`, `none`.

    Returns date.weekday() numbers (0 = Monday).
    """
    if not isinstance(text, str) or not text.strip():
        raise RuleError("work days: give e.g. mon-fri or mon,wed,fri")
    spec = text.strip().lower()
    if spec in ("all", "daily"):
        return frozenset(range(7))
    if spec == "none":
        return frozenset()
    days: set[int] = set()
    for part in spec.split(","):
        ends = [p.strip() for p in part.split("-")]
        if len(ends) > 2 or any(e not in WEEKDAY_NAMES for e in ends):
            raise RuleError(f"work days {text!r}: use mon tue wed thu fri sat sun, "
                            "ranges such as mon-fri, commas between")
        first, last = (WEEKDAY_NAMES.index(e) for e in (ends[0], ends[-1]))
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    return frozenset(days)


def format_weekdays(days: Iterable[int]) -> str:
    """The shortest spelling parse_weekdays reads back: `mon-fri`, `mon,wed,sat-sun`."""
    chosen = sorted(set(days))
    if not chosen:
        return "none"
    if len(chosen) == 7:
        return "mon-sun"
    runs: list[list[int]] = []
    for day in chosen:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(WEEKDAY_NAMES[r[0]] if len(r) == 1
                    else f"{WEEKDAY_NAMES[r[0]]}-{WEEKDAY_NAMES[r[-1]]}" for r in runs)


def _minute_of_day(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def _check_clock(value: object, what: str) -> dt.time:
    if not isinstance(value, dt.time):
        raise RuleError(f"{what}: must be a time of day (HH:MM)")
    if value.tzinfo is not None:
        raise RuleError(f"{what}: a wall-clock time without a zone (the site's zone applies)")
    if value.second or value.microsecond:
        raise RuleError(f"{what} {value.isoformat()}: whole minutes only")
    return value


def _check_minutes(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"{what}: must be a whole number of minutes")
    if value < 0:
        raise RuleError(f"{what} {value}: cannot be negative")
    return value


@dataclass(frozen=True)
class Break:
    """An unpaid interval inside a shift (lunch). It may cross midnight in an overnight
    shift (23:30-00:15); it must lie inside the shift."""

    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        _check_clock(self.start, "break start")
        _check_clock(self.end, "break end")
        if self.start == self.end:
            raise RuleError(f"break {self}: starts and ends at the same time")

    def __str__(self) -> str:
        return f"{format_time(self.start)}-{format_time(self.end)}"


@dataclass(frozen=True)
class Shift:
    """A named shift. Raises RuleError (one line) when it makes no sense.

    `days` are the weekdays it is worked (date.weekday(), 0 = Monday); on its other days
    the shift's times still frame the day (which punches belong to it, rest-day overtime).
    """

    name: str
    start: dt.time
    end: dt.time
    overnight: bool = False
    late_grace_minutes: int = 0
    early_grace_minutes: int = 0
    breaks: tuple[Break, ...] = ()
    days: frozenset[int] = MON_FRI
    #: The breaks as (minutes after the start, minutes after the start), in order.
    break_offsets: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            name = check_name(self.name, "shift name")
        except BadInput as e:
            raise RuleError(str(e)) from e
        object.__setattr__(self, "name", name)
        label = f"shift {name!r}"
        start = _check_clock(self.start, f"{label}: start")
        end = _check_clock(self.end, f"{label}: end")
        if not isinstance(self.overnight, bool):
            raise RuleError(f"{label}: overnight must be true or false")
        span = f"{format_time(start)}-{format_time(end)}"
        if start == end:
            raise RuleError(f"{label}: starts and ends at {format_time(start)}")
        if end < start and not self.overnight:
            raise RuleError(f"{label}: ends at {format_time(end)}, before it starts at "
                            f"{format_time(start)}; mark it overnight if it crosses midnight")
        if end > start and self.overnight:
            raise RuleError(f"{label}: marked overnight but {span} does not cross midnight")
        length = self.length_minutes
        for what, value in (("late", self.late_grace_minutes),
                            ("early-leave", self.early_grace_minutes)):
            minutes = _check_minutes(value, f"{label}: {what} grace minutes")
            if minutes > length:
                raise RuleError(f"{label}: {what} grace of {minutes} minutes is longer than "
                                f"the shift ({length} minutes)")
        days = self.days
        if not isinstance(days, frozenset | set | tuple | list) or any(
                isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6
                for d in days):
            raise RuleError(f"{label}: work days are weekday numbers 0 (Monday) to 6")
        object.__setattr__(self, "days", frozenset(cast(Iterable[int], days)))
        if not isinstance(self.breaks, tuple | list):
            raise RuleError(f"{label}: breaks must be a list")
        object.__setattr__(self, "breaks", tuple(self.breaks))
        offsets: list[tuple[int, int]] = []
        for pause in self.breaks:
            if not isinstance(pause, Break):
                raise RuleError(f"{label}: breaks must be Break(start, end)")
            begin = (_minute_of_day(pause.start) - _minute_of_day(start)) % DAY_MINUTES
            finish = begin + (_minute_of_day(pause.end) - _minute_of_day(pause.start)) \
                % DAY_MINUTES
            if finish > length:
                raise RuleError(f"{label}: break {pause} is not inside the shift {span}")
            if offsets and begin < offsets[-1][1]:
                raise RuleError(f"{label}: break {pause} overlaps or precedes the one before; "
                                "list breaks in order, apart")
            offsets.append((begin, finish))
        if sum(b - a for a, b in offsets) >= length:
            raise RuleError(f"{label}: its breaks fill the whole shift")
        object.__setattr__(self, "break_offsets", tuple(offsets))

    @property
    def length_minutes(self) -> int:
        """Nominal length on the wall clock (the real one differs on a DST change night)."""
        return (_minute_of_day(self.end) - _minute_of_day(self.start)) % DAY_MINUTES

    @property
    def break_minutes(self) -> int:
        return sum(b - a for a, b in self.break_offsets)

    def works_on(self, weekday: int) -> bool:
        return weekday in self.days

    def on(self, day: dt.date, zone: dt.tzinfo) -> ShiftInstance:
        """Where the shift worked on `day` (its start's date) lies in time."""
        start = wall_instant(zone, day, self.start)
        end_day = day + dt.timedelta(days=1) if self.overnight else day
        end = wall_instant(zone, end_day, self.end)
        breaks = []
        for pause, (offset, _) in zip(self.breaks, self.break_offsets, strict=True):
            begin_day = day + dt.timedelta(days=(_minute_of_day(self.start) + offset)
                                           // DAY_MINUTES)
            finish_day = begin_day if pause.end > pause.start else \
                begin_day + dt.timedelta(days=1)
            breaks.append((wall_instant(zone, begin_day, pause.start),
                           wall_instant(zone, finish_day, pause.end)))
        return ShiftInstance(self, day, start, end, tuple(breaks))

    def as_payload(self) -> dict[str, object]:
        """Plain JSON-ready fields (times as HH:MM, days as `mon-fri`); from_payload reads it."""
        return {"name": self.name, "start": format_time(self.start),
                "end": format_time(self.end), "overnight": self.overnight,
                "late_grace_minutes": self.late_grace_minutes,
                "early_grace_minutes": self.early_grace_minutes,
                "breaks": [str(b) for b in self.breaks], "days": format_weekdays(self.days)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> Shift:
        """The shift of as_payload's fields; `overnight` defaults to whether end < start."""
        try:
            name, start, end = payload["name"], payload["start"], payload["end"]
        except (KeyError, TypeError) as e:
            raise RuleError(f"shift: missing field {e}") from e
        if not isinstance(start, str) or not isinstance(end, str):
            raise RuleError(f"shift {name!r}: start and end are HH:MM text")
        begin, finish = parse_time(start, "shift start"), parse_time(end, "shift end")
        breaks: list[Break] = []
        raw_breaks = payload.get("breaks", [])
        if not isinstance(raw_breaks, list):
            raise RuleError(f"shift {name!r}: breaks are a list of HH:MM-HH:MM")
        for item in raw_breaks:
            if not isinstance(item, str) or item.count("-") != 1:
                raise RuleError(f"shift {name!r}: break {item!r}: give HH:MM-HH:MM")
            a, b = item.split("-")
            breaks.append(Break(parse_time(a, "break start"), parse_time(b, "break end")))
        days = payload.get("days", "mon-fri")
        if not isinstance(days, str):
            raise RuleError(f"shift {name!r}: days are text such as mon-fri")
        overnight = payload.get("overnight", finish < begin)
        late = payload.get("late_grace_minutes", 0)
        early = payload.get("early_grace_minutes", 0)
        return cls(cast(str, name), begin, finish, cast(bool, overnight), cast(int, late),
                   cast(int, early), tuple(breaks), parse_weekdays(days))


@dataclass(frozen=True)
class ShiftInstance:
    """A shift on one day: instants (UTC epoch seconds) of its start, end and breaks."""

    shift: Shift
    day: dt.date
    start: float
    end: float
    breaks: tuple[tuple[float, float], ...]

    def break_overlap(self, begin: float, finish: float) -> float:
        """Seconds of [begin, finish] that fall in this shift's breaks."""
        total = 0.0
        for a, b in self.breaks:
            if a < finish and begin < b:
                total += min(b, finish) - max(a, begin)
        return total
