"""The worked example of docs/attendance.md, figure by figure (keep the two in step)."""

from __future__ import annotations

import datetime as dt

from device.timekeeping import (
    Assignment,
    Break,
    CalculationMode,
    Person,
    Punch,
    Rules,
    Shift,
    daily_sheet,
    monthly_summary,
    parse_time,
    parse_weekdays,
)

DAY = Shift("Day", parse_time("09:00"), parse_time("18:00"), late_grace_minutes=5,
            early_grace_minutes=5, breaks=(Break(parse_time("12:00"), parse_time("13:00")),),
            days=parse_weekdays("mon-fri"))
ASSIGNED = (Assignment(("Day",), everyone=True),)
RULES = Rules("Asia/Shanghai", (DAY,), ASSIGNED)
AI = Person("E001", "艾超")


def punch(day: int, clock: str, door: str, status: str | None, **marks: bool) -> Punch:
    when = dt.datetime.combine(dt.date(2026, 3, day), parse_time(clock), tzinfo=RULES.zone)
    return Punch("E001", when.timestamp(), door, door, status, **marks)


PUNCHES = [
    punch(2, "09:07", "Main entrance", "in"), punch(2, "12:02", "Loading bay", "out"),
    punch(2, "13:01", "Loading bay", "in"), punch(2, "18:40", "Loading bay", "out"),
    punch(3, "08:55", "Main entrance", "in"), punch(3, "17:58", "hub", None, corrected=True),
    punch(4, "09:00", "Main entrance", "in", voided=True),
    punch(5, "09:30", "Main entrance", "in"), punch(5, "16:50", "Main entrance", "out"),
    punch(6, "08:59", "Main entrance", "in"), punch(6, "18:01", "Loading bay", "in"),
    punch(7, "10:00", "Main entrance", "in"), punch(7, "15:00", "Main entrance", "out"),
]


def test_the_week_first_in_last_out():
    rows = daily_sheet(RULES, [AI], PUNCHES, dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert [(r.date.day, r.first_in and r.first_in.isoformat(),
             r.last_out and r.last_out.strftime("%H:%M"), r.worked_minutes, r.late_minutes,
             r.early_leave_minutes, r.overtime_minutes, r.status.value, r.corrected)
            for r in rows] == [
        (2, "2026-03-02T09:07:00+08:00", "18:40", 513, 7, 0, 40, "late", False),
        (3, "2026-03-03T08:55:00+08:00", "17:58", 483, 0, 0, 0, "present", True),
        (4, None, None, 0, 0, 0, 0, "absent", True),
        (5, "2026-03-05T09:30:00+08:00", "16:50", 380, 30, 70, 0, "late_and_early_leave",
         False),
        (6, "2026-03-06T08:59:00+08:00", "18:01", 482, 0, 0, 1, "present", False),
        (7, "2026-03-07T10:00:00+08:00", "15:00", 240, 0, 0, 240, "rest_day", False),
        (8, None, None, 0, 0, 0, 0, "rest_day", False),
    ]
    assert (rows[0].in_door, rows[0].out_door) == ("Main entrance", "Loading bay")


def test_the_week_each_check():
    rules = Rules("Asia/Shanghai", (DAY,), ASSIGNED, mode=CalculationMode.EACH_CHECK)
    rows = daily_sheet(rules, [AI], PUNCHES, dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert [(r.worked_minutes, r.status.value) for r in rows] == [
        (512, "late"), (483, "present"), (0, "absent"), (380, "late_and_early_leave"),
        (0, "missing_punch"), (240, "rest_day"), (0, "rest_day")]


def test_the_month():
    (summary,) = monthly_summary(RULES, [AI], PUNCHES, "2026-03")
    assert (summary.scheduled_days, summary.days_worked, summary.late_count,
            summary.late_minutes, summary.early_leave_count, summary.early_leave_minutes,
            summary.absent_days, summary.missing_punches, summary.worked_minutes,
            summary.overtime_minutes, summary.worked_hours, summary.overtime_hours,
            summary.corrected_days) == (22, 5, 2, 37, 1, 70, 18, 0, 2098, 281, 34.97, 4.68, 2)
