"""The monthly summary: a person's daily rows of one calendar month, added up.

- scheduled_days: work days (status absent, missing punch, late, early leave, present).
- days_worked: days with worked time (rest days and holidays included).
- late_count / late_minutes: days with late minutes, and their sum; early_leave_* likewise.
  A day counts here by its figures, whatever its status (a day late and without an out
  punch is a missing punch day *and* a late day).
- absent_days, missing_punches: days with that status (missing_punches counts days, not
  punches).
- worked_minutes, overtime_minutes: sums, whole minutes; worked_hours and overtime_hours
  are the same divided by 60 and rounded to 2 decimals (a sum of minutes is never exactly
  half a hundredth of an hour, so the rounding has no ties).
- corrected_days: days whose figures involve a punch an admin added or voided.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from device.timekeeping.daily import WORK_STATUSES, DayFigures, DayStatus, daily_figures
from device.timekeeping.errors import RuleError
from device.timekeeping.records import Person, Punch
from device.timekeeping.rules import Rules

__all__ = ["Month", "MonthlySummary", "monthly_summary", "parse_month", "summarise"]

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2999 or not 1 <= self.month <= 12:
            raise RuleError(f"month {self.year:04d}-{self.month:02d}: give YYYY-MM "
                            "with a month 01-12 (years 1900-2999)")

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        following = (dt.date(self.year + 1, 1, 1) if self.month == 12
                     else dt.date(self.year, self.month + 1, 1))
        return following - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_month(text: str) -> Month:
    """`YYYY-MM` as a Month; RuleError for `2026-13`, `2026-1`, `March`."""
    match = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise RuleError(f"month {text!r}: give YYYY-MM, e.g. 2026-03")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise RuleError(f"month {text!r}: there is no month {month:02d} (01-12)")
    return Month(year, month)


@dataclass(frozen=True)
class MonthlySummary:
    month: str  # YYYY-MM
    person_id: str
    name: str
    scheduled_days: int
    days_worked: int
    late_count: int
    late_minutes: int
    early_leave_count: int
    early_leave_minutes: int
    absent_days: int
    missing_punches: int
    worked_minutes: int
    overtime_minutes: int
    worked_hours: float
    overtime_hours: float
    corrected_days: int


def hours(minutes: int) -> float:
    return round(minutes / 60, 2)


class _Totals:
    __slots__ = ("absent", "corrected", "early", "early_minutes", "late", "late_minutes",
                 "missing", "name", "overtime", "scheduled", "worked", "worked_days")

    def __init__(self, name: str) -> None:
        self.name = name
        self.scheduled = self.worked_days = self.late = self.late_minutes = 0
        self.early = self.early_minutes = self.absent = self.missing = 0
        self.worked = self.overtime = self.corrected = 0


def summarise(rows: Iterable[DayFigures], month: Month | str) -> list[MonthlySummary]:
    """Add up daily figures (of any days: the caller picks the month's), one summary per
    person in order of staff id."""
    label = str(month)
    totals: dict[str, _Totals] = {}
    for r in rows:
        t = totals.get(r.person_id)
        if t is None:
            t = totals[r.person_id] = _Totals(r.name)
        status = r.status
        if status in WORK_STATUSES:
            t.scheduled += 1
            if status is DayStatus.ABSENT:
                t.absent += 1
            elif status is DayStatus.MISSING_PUNCH:
                t.missing += 1
        if r.worked_minutes > 0:
            t.worked_days += 1
            t.worked += r.worked_minutes
            t.overtime += r.overtime_minutes
        if r.late_minutes:
            t.late += 1
            t.late_minutes += r.late_minutes
        if r.early_leave_minutes:
            t.early += 1
            t.early_minutes += r.early_leave_minutes
        if r.corrected:
            t.corrected += 1
    return [MonthlySummary(label, pid, t.name, t.scheduled, t.worked_days, t.late,
                           t.late_minutes, t.early, t.early_minutes, t.absent, t.missing,
                           t.worked, t.overtime, hours(t.worked), hours(t.overtime),
                           t.corrected)
            for pid, t in sorted(totals.items())]


def monthly_summary(rules: Rules, people: Iterable[Person], punches: Iterable[Punch],
                    month: Month | str, *, now: float | None = None) -> list[MonthlySummary]:
    """The month's summary per person (`month` as a Month or YYYY-MM), by staff id.

    People without a reported day in the month (enrolled after it) have no summary.
    """
    chosen = month if isinstance(month, Month) else parse_month(month)
    return summarise(daily_figures(rules, people, punches, chosen.first_day,
                                   chosen.last_day, now=now), chosen)
