"""Small builders for the timekeeping tests: a standard day shift, punches from wall times."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from device.timekeeping import (
    Assignment,
    Break,
    CalculationMode,
    DailyRow,
    Person,
    Punch,
    Rules,
    Shift,
    WorkCalendar,
    daily_sheet,
)

SHANGHAI = "Asia/Shanghai"
BERLIN = "Europe/Berlin"

MON = dt.date(2026, 3, 2)  # March 2026: the 1st is a Sunday, 22 weekdays
TUE = dt.date(2026, 3, 3)
SAT = dt.date(2026, 3, 7)


def hm(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


def day_shift(**changes: object) -> Shift:
    """09:00-18:00, 5 minutes of grace each way, lunch 12:00-13:00, Monday to Friday."""
    fields: dict[str, object] = {
        "name": "Day", "start": hm("09:00"), "end": hm("18:00"), "late_grace_minutes": 5,
        "early_grace_minutes": 5, "breaks": (Break(hm("12:00"), hm("13:00")),)}
    fields.update(changes)
    return Shift(**fields)  # type: ignore[arg-type]  # test builder: fields checked by Shift


def night_shift(**changes: object) -> Shift:
    """22:00-06:00 overnight, lunch 02:00-02:30, every day."""
    fields: dict[str, object] = {
        "name": "Night", "start": hm("22:00"), "end": hm("06:00"), "overnight": True,
        "late_grace_minutes": 5, "breaks": (Break(hm("02:00"), hm("02:30")),),
        "days": frozenset(range(7))}
    fields.update(changes)
    return Shift(**fields)  # type: ignore[arg-type]  # test builder: fields checked by Shift


def everyone(*shifts: Shift, zone: str = SHANGHAI, calendar: WorkCalendar | None = None,
             mode: CalculationMode = CalculationMode.FIRST_IN_LAST_OUT) -> Rules:
    """Rules assigning `shifts` (several: nearest timetable) to everyone, without limit."""
    return Rules(zone, shifts, (Assignment(tuple(s.name for s in shifts), everyone=True),),
                 calendar or WorkCalendar(), mode)


def at(zone: str, day: dt.date, clock: str, second: int = 0) -> float:
    """Epoch seconds of a wall time (fold=0 on DST days: use iso() there)."""
    return dt.datetime.combine(day, hm(clock).replace(second=second),
                               tzinfo=zoneinfo.ZoneInfo(zone)).timestamp()


def iso(text: str) -> float:
    """Epoch seconds of an ISO time with its offset, e.g. 2026-03-29T06:00+02:00."""
    return dt.datetime.fromisoformat(text).timestamp()


def punches(zone: str, day: dt.date, *clocks: str, person: str = "E1",
            door: str = "door-a", status: str | None = None) -> list[Punch]:
    """Punches on `day` at the given HH:MM (a clock after "+" is on the next day)."""
    made = []
    for i, clock in enumerate(clocks):
        on = day
        if clock.startswith("+"):
            on, clock = day + dt.timedelta(days=1), clock[1:]
        second = 0
        if clock.count(":") == 2:
            clock, sec = clock.rsplit(":", 1)
            second = int(sec)
        made.append(Punch(person, at(zone, on, clock, second), door, None, status,
                          seq=i + 1))
    return made


ANN = Person("E1", "Ann")


def one_day(rules: Rules, day: dt.date, ps: list[Punch],
            person: Person = ANN) -> DailyRow:
    (row,) = daily_sheet(rules, [person], ps, day, day)
    return row
