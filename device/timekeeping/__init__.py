"""Time and attendance rules and reports (issue 15): pure Python, no storage, no Qt.

The door and the hub hand in plain records (rules, people, punches) and get plain frozen
records back; nothing here reads a database or a clock. docs/attendance.md states every
rule and has a worked example.

- errors.py      RuleError: every bad rule or report input, one line
- timezone.py    the site's zone from an IANA name; wall time <-> instant
- shifts.py      Shift, Break, ShiftInstance; HH:MM and weekday spellings
- calendar.py    WorkCalendar: holidays, make-up work days, the day boundary
- assignments.py Assignment, Schedule: who works which shift when (temporary wins)
- rules.py       Rules: all of the above, checked together; CalculationMode
- records.py     Punch, Person: the input records
- workdays.py    which work day a punch belongs to
- daily.py       DailyRow, DayStatus, daily_sheet: the daily figures
- monthly.py     Month, MonthlySummary, monthly_summary: the monthly sums
"""

from device.timekeeping.assignments import Assignment, Schedule, ScheduleKind
from device.timekeeping.calendar import DEFAULT_DAY_BOUNDARY, DayKind, WorkCalendar, parse_date
from device.timekeeping.daily import (
    DailyRow,
    DayFigures,
    DayStatus,
    daily_figures,
    daily_sheet,
    person_days,
)
from device.timekeeping.errors import RuleError
from device.timekeeping.monthly import (
    Month,
    MonthlySummary,
    monthly_summary,
    parse_month,
    summarise,
)
from device.timekeeping.records import IN, OUT, Person, Punch
from device.timekeeping.rules import CalculationMode, Rules
from device.timekeeping.shifts import (
    MON_FRI,
    Break,
    Shift,
    ShiftInstance,
    format_time,
    format_weekdays,
    parse_time,
    parse_weekdays,
)
from device.timekeeping.timezone import local_datetime, site_zone, wall_instant

__all__ = [
    "DEFAULT_DAY_BOUNDARY", "IN", "MON_FRI", "OUT", "Assignment", "Break", "CalculationMode",
    "DailyRow", "DayFigures", "DayKind", "DayStatus", "Month", "MonthlySummary", "Person",
    "Punch", "RuleError", "Rules", "Schedule", "ScheduleKind", "Shift", "ShiftInstance",
    "WorkCalendar", "daily_figures", "daily_sheet", "format_time", "format_weekdays",
    "local_datetime", "monthly_summary", "parse_date", "parse_month", "parse_time",
    "parse_weekdays", "person_days", "site_zone", "summarise", "wall_instant",
]
