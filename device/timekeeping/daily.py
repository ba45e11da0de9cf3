"""The daily sheet: one row per person per work day, computed from the rules and punches.

The figures (docs/attendance.md has the worked example):
- first_in / last_out: in mode first_in_last_out, the first and the last punch of the work
  day, whatever the door or the status (in at door A, out at door B is one in and one
  out); a lone punch is the in when it is nearer the shift's start than its end, else the
  out. In mode each_check, punches pair by status (a punch without one is an in when no
  pair is open, else an out); first_in is the first in, last_out the last out.
- worked_minutes: the time between in and out (each_check: the sum of the pairs), minus
  what of it falls in the shift's unpaid breaks.
- late_minutes: from the shift start to first_in, once that exceeds the late grace
  (7 minutes late with 5 minutes of grace is 7 late minutes; 5 is 0). early_leave_minutes
  likewise from last_out to the shift end.
- overtime_minutes: worked time after the shift end on a work day; on a rest day or a
  holiday every worked minute.
- Every duration is the real elapsed time between instants, in whole minutes (seconds
  dropped: 09:05:59 is 5 minutes after 09:00).
- status: see DayStatus. corrected: a punch of the day was added or voided by an admin.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import NamedTuple

from device.timekeeping.calendar import DayKind
from device.timekeeping.errors import RuleError
from device.timekeeping.records import IN, OUT, Person, Punch
from device.timekeeping.rules import CalculationMode, Rules
from device.timekeeping.shifts import Shift, ShiftInstance
from device.timekeeping.timezone import local_datetime, wall_instant
from device.timekeeping.workdays import openings

__all__ = ["DailyRow", "DayFigures", "DayStatus", "daily_figures", "daily_sheet",
           "person_days"]

ONE_DAY = dt.timedelta(days=1)


class DayStatus(StrEnum):
    """One status per row; the first that applies, in this order."""

    NO_SHIFT = "no_shift"  # no shift assigned that day (and not a holiday)
    HOLIDAY = "holiday"  # a calendar holiday: nobody is expected
    REST_DAY = "rest_day"  # not one of the shift's weekdays (nor a make-up work day)
    ABSENT = "absent"  # a work day without a single (non-voided) punch
    MISSING_PUNCH = "missing_punch"  # no out (or no in), or an unpaired punch (each_check)
    LATE_AND_EARLY_LEAVE = "late_and_early_leave"
    LATE = "late"
    EARLY_LEAVE = "early_leave"
    PRESENT = "present"  # in and out, neither late nor early beyond the graces


#: Statuses of a day the person was expected at work.
WORK_STATUSES = frozenset({DayStatus.ABSENT, DayStatus.MISSING_PUNCH,
                           DayStatus.LATE_AND_EARLY_LEAVE, DayStatus.LATE,
                           DayStatus.EARLY_LEAVE, DayStatus.PRESENT})


class DayFigures(NamedTuple):
    """A row's figures with times as UTC epoch seconds (cheap: what the monthly sums read)."""

    day: dt.date
    person_id: str
    name: str
    shift: str | None
    first_in: float | None
    last_out: float | None
    in_door: str | None
    out_door: str | None
    worked_minutes: int
    late_minutes: int
    early_leave_minutes: int
    overtime_minutes: int
    status: DayStatus
    corrected: bool


@dataclass(frozen=True)
class DailyRow:
    """One line of the daily sheet; times in the site's zone, with their offset."""

    date: dt.date
    person_id: str
    name: str
    shift: str | None
    first_in: dt.datetime | None
    last_out: dt.datetime | None
    worked_minutes: int
    late_minutes: int
    early_leave_minutes: int
    overtime_minutes: int
    status: DayStatus
    corrected: bool
    in_door: str | None = None  # where first_in was punched (door name, else door id)
    out_door: str | None = None

    @classmethod
    def of(cls, figures: DayFigures, zone: dt.tzinfo) -> DailyRow:
        f = figures
        return cls(f.day, f.person_id, f.name, f.shift,
                   None if f.first_in is None else local_datetime(zone, f.first_in),
                   None if f.last_out is None else local_datetime(zone, f.last_out),
                   f.worked_minutes, f.late_minutes, f.early_leave_minutes,
                   f.overtime_minutes, f.status, f.corrected, f.in_door, f.out_door)


def _check_range(first: dt.date, last: dt.date) -> None:
    for value in (first, last):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise RuleError("report range: give dates (YYYY-MM-DD)")
    if last < first:
        raise RuleError(f"report range: ends {last.isoformat()}, before it starts "
                        f"{first.isoformat()}")


class _Plan(NamedTuple):
    """A person's shifts on each reported day, and where each of those days begins."""

    shifts: list[tuple[Shift, ...]]  # per reported day
    opens: list[float]  # open(D) per reported day, then the end of the last one


class _Engine:
    """One computation over [first, last]: caches what people share (shift instances,
    plans of people with the same groups)."""

    def __init__(self, rules: Rules, first: dt.date, last: dt.date,
                 now: float | None) -> None:
        _check_range(first, last)
        self.rules = rules
        self.zone = rules.zone
        self.calendar = rules.calendar
        self.each_check = rules.mode is CalculationMode.EACH_CHECK
        self.first = first
        self.days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        self.now = now
        self._instances: dict[tuple[str, dt.date], ShiftInstance] = {}
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}
        #: Punches outside this window cannot belong to a reported day.
        self.window = (wall_instant(self.zone, first - 2 * ONE_DAY, dt.time()),
                       wall_instant(self.zone, last + 3 * ONE_DAY, dt.time()))

    def instance(self, shift: Shift, day: dt.date) -> ShiftInstance:
        key = (shift.name, day)
        found = self._instances.get(key)
        if found is None:
            found = self._instances[key] = shift.on(day, self.zone)
        return found

    def plan(self, person: Person) -> _Plan:
        schedule = self.rules.schedule
        own = person.person_id if person.person_id in schedule.personal else ""
        key = (own, tuple(person.groups))
        found = self._plans.get(key)
        if found is None:
            span = [self.first - ONE_DAY, *self.days, self.days[-1] + ONE_DAY]
            shifts = [schedule.shifts_on(person.person_id, person.groups, d) for d in span]
            opens = openings(self.zone, self.calendar.day_boundary, self.instance,
                             self.first, shifts)
            found = self._plans[key] = _Plan(shifts[1:-1], opens)
        return found

    def person_days(self, person: Person, punches: Sequence[Punch]) -> list[DayFigures]:
        """The person's rows; `punches` are theirs, sorted by (time, seq)."""
        plan = self.plan(person)
        opens = plan.opens
        buckets: list[list[Punch]] = [[] for _ in self.days]
        start, stop = opens[0], opens[-1]
        for p in punches:
            if start <= p.time < stop:
                buckets[bisect_right(opens, p.time) - 1].append(p)
        enrolled = (-1 if person.enrolled_at is None
                    else bisect_right(opens, person.enrolled_at) - 1)
        removed = (len(self.days) if person.removed_at is None
                   else bisect_right(opens, person.removed_at) - 1)
        rows: list[DayFigures] = []
        now = self.now
        for i, day in enumerate(self.days):
            if i < enrolled or i > removed or (now is not None and opens[i] >= now):
                continue
            figures = self._day(person, day, buckets[i], plan.shifts[i])
            if (i in (enrolled, removed) and figures.first_in is None
                    and figures.last_out is None
                    and self._unexpected(person, figures, i == enrolled)):
                continue
            rows.append(figures)
        return rows

    def _unexpected(self, person: Person, figures: DayFigures, enrolment: bool) -> bool:
        """On the day of enrolment (removal) without a punch: was the person enrolled only
        after the shift began (removed before it began)? Then the day is not reported."""
        if figures.shift is None:
            return True
        start = self.instance(self.rules.by_name[figures.shift], figures.day).start
        if enrolment:
            return person.enrolled_at is not None and person.enrolled_at > start
        return person.removed_at is not None and person.removed_at <= start

    def _choose(self, candidates: tuple[Shift, ...], day: dt.date,
                used: list[Punch]) -> Shift:
        """Nearest timetable: of the shifts worked that day (else all), the one starting
        nearest the first punch; without punches, the first assigned."""
        working = [s for s in candidates if self.calendar.kind(day, s) is DayKind.WORK]
        pool = working or list(candidates)
        if not used:
            return pool[0]
        first = used[0].time
        return min(pool, key=lambda s: abs(self.instance(s, day).start - first))

    def _day(self, person: Person, day: dt.date, bucket: list[Punch],
             candidates: tuple[Shift, ...]) -> DayFigures:
        corrected = False
        used = bucket
        for p in bucket:
            if p.corrected or p.voided:
                corrected = True
                used = [q for q in bucket if not q.voided]
                break
        if not candidates:
            shift = None
        elif len(candidates) == 1:
            shift = candidates[0]
        else:
            shift = self._choose(candidates, day, used)
        inst = None if shift is None else self.instance(shift, day)
        # Pair the punches.
        first_in: Punch | None = None
        last_out: Punch | None = None
        intervals: list[tuple[float, float]] = []
        unpaired = 0
        if self.each_check:
            opened: Punch | None = None
            for p in used:
                role = p.status or (OUT if opened is not None else IN)
                if role == IN:
                    if opened is not None:
                        unpaired += 1
                    opened = p
                    if first_in is None:
                        first_in = p
                else:
                    if opened is None:
                        unpaired += 1
                    else:
                        intervals.append((opened.time, p.time))
                        opened = None
                    last_out = p
            if opened is not None:
                unpaired += 1
        elif len(used) >= 2:
            first_in, last_out = used[0], used[-1]
            intervals.append((first_in.time, last_out.time))
        elif used:
            lone = used[0]
            if inst is not None and abs(lone.time - inst.end) < abs(lone.time - inst.start):
                last_out = lone
            else:
                first_in = lone
            unpaired = 1
        worked_seconds = after_end = 0.0
        for a, b in intervals:
            worked_seconds += b - a
            if inst is not None:
                if inst.breaks:
                    worked_seconds -= inst.break_overlap(a, b)
                if b > inst.end:
                    after_end += b - max(a, inst.end)
        worked = int(worked_seconds // 60)
        late = early = overtime = 0
        if shift is None or inst is None:
            status = (DayStatus.HOLIDAY if day in self.calendar.holidays
                      else DayStatus.NO_SHIFT)
            overtime = worked if status is DayStatus.HOLIDAY else 0
        else:
            kind = self.calendar.kind(day, shift)
            if kind is DayKind.HOLIDAY:
                status, overtime = DayStatus.HOLIDAY, worked
            elif kind is DayKind.REST:
                status, overtime = DayStatus.REST_DAY, worked
            else:
                end = inst.end
                overtime = int(after_end // 60)
                if first_in is not None:
                    late = int((first_in.time - inst.start) // 60)
                    late = late if late > shift.late_grace_minutes else 0
                if last_out is not None:
                    early = int((end - last_out.time) // 60)
                    early = early if early > shift.early_grace_minutes else 0
                if not used:
                    status = DayStatus.ABSENT
                elif unpaired or first_in is None or last_out is None:
                    status = DayStatus.MISSING_PUNCH
                elif late and early:
                    status = DayStatus.LATE_AND_EARLY_LEAVE
                elif late:
                    status = DayStatus.LATE
                elif early:
                    status = DayStatus.EARLY_LEAVE
                else:
                    status = DayStatus.PRESENT
        return DayFigures(
            day, person.person_id, person.name, None if shift is None else shift.name,
            None if first_in is None else first_in.time,
            None if last_out is None else last_out.time,
            None if first_in is None else first_in.door,
            None if last_out is None else last_out.door,
            worked, late, early, overtime, status, corrected)


def _people(people: Iterable[Person]) -> list[Person]:
    chosen: dict[str, Person] = {}
    for person in people:
        if not isinstance(person, Person):
            raise RuleError("people must be Person records")
        if person.person_id in chosen:
            raise RuleError(f"person {person.person_id} is listed twice")
        chosen[person.person_id] = person
    return list(chosen.values())


_sort_key = attrgetter("time", "seq")


def _by_person(punches: Iterable[Punch], low: float, high: float) -> dict[str, list[Punch]]:
    """Each person's punches inside [low, high), sorted: one pass over all of them."""
    grouped: defaultdict[str, list[Punch]] = defaultdict(list)
    for p in punches:
        if low <= p.time < high:
            grouped[p.person_id].append(p)
    for mine in grouped.values():
        mine.sort(key=_sort_key)
    return grouped


def daily_figures(rules: Rules, people: Iterable[Person], punches: Iterable[Punch],
                  first: dt.date, last: dt.date, *,
                  now: float | None = None) -> Iterator[DayFigures]:
    """Every person's rows for the work days first..last (inclusive), person by person in
    the order given, day by day. Punches of people not listed are ignored.

    `now` (epoch seconds): leave out the days that have not begun by then (a report run
    today does not call tomorrow an absence). None: every day of the range.
    """
    engine = _Engine(rules, first, last, now)  # bad input is refused here, not on iteration
    chosen = _people(people)
    grouped = _by_person(punches, *engine.window)
    return _rows(engine, chosen, grouped)


def _rows(engine: _Engine, people: list[Person],
          grouped: dict[str, list[Punch]]) -> Iterator[DayFigures]:
    for person in people:
        yield from engine.person_days(person, grouped.get(person.person_id) or ())


def daily_sheet(rules: Rules, people: Iterable[Person], punches: Iterable[Punch],
                first: dt.date, last: dt.date, *,
                now: float | None = None) -> list[DailyRow]:
    """The daily sheet for first..last, ordered by date then staff id."""
    zone = rules.zone
    rows = [DailyRow.of(f, zone)
            for f in daily_figures(rules, people, punches, first, last, now=now)]
    rows.sort(key=lambda r: (r.date, r.person_id))
    return rows


def person_days(rules: Rules, person: Person, punches: Iterable[Punch], first: dt.date,
                last: dt.date, *, now: float | None = None) -> list[DailyRow]:
    """One person's rows (the door's own figures for one staff member); `punches` may
    hold other people's too."""
    return [DailyRow.of(f, rules.zone)
            for f in daily_figures(rules, [person], punches, first, last, now=now)]
