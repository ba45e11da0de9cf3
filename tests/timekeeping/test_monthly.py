"""The monthly summary: a month built by hand, and its sums worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from device.timekeeping import (
    Month,
    MonthlySummary,
    Person,
    Punch,
    WorkCalendar,
    daily_sheet,
    monthly_summary,
    parse_month,
)
from device.timekeeping.monthly import hours
from tests.timekeeping.support import SHANGHAI, at, day_shift, everyone, night_shift, punches

D = dt.date


def march_of_ann() -> list[Punch]:
    """E1's March 2026 on the day shift (09:00-18:00, grace 5/5, lunch 12-13)."""
    ps: list[Punch] = []
    ps += punches(SHANGHAI, D(2026, 3, 2), "09:07", "18:00")  # late 7, worked 473
    ps += punches(SHANGHAI, D(2026, 3, 3), "09:00", "17:30")  # early 30, worked 450
    # 03-04 a holiday, nobody there
    ps += punches(SHANGHAI, D(2026, 3, 5), "09:00")  # missing punch
    ps += punches(SHANGHAI, D(2026, 3, 6), "09:00", "19:00")  # worked 540, overtime 60
    ps += punches(SHANGHAI, D(2026, 3, 7), "10:00", "12:00")  # Saturday: 120, all overtime
    ps += punches(SHANGHAI, D(2026, 3, 9), "09:20", "17:00")  # late 20, early 60, 400
    for day in range(10, 31):
        if D(2026, 3, day).weekday() < 5:  # 15 days present, 482 each (early is worked)
            ps += punches(SHANGHAI, D(2026, 3, day), "08:58", "18:00")
    ps.append(Punch("E1", at(SHANGHAI, D(2026, 3, 31), "09:00"), voided=True))  # absent
    ps += punches(SHANGHAI, D(2026, 2, 27), "09:00", "18:00")  # another month
    ps += punches(SHANGHAI, D(2026, 4, 1), "09:00", "18:00")
    return ps


PEOPLE = [
    Person("E1", "Ann"),
    Person("E2", "Bo", enrolled_at=at(SHANGHAI, D(2026, 3, 16), "10:00")),  # after 09:00
    Person("E3", "Cy", enrolled_at=at(SHANGHAI, D(2026, 3, 16), "08:00")),  # before it
    Person("E4", "Di", enrolled_at=at(SHANGHAI, D(2026, 4, 2), "08:00")),  # next month
]


def rules():
    return everyone(day_shift(), calendar=WorkCalendar(holidays={D(2026, 3, 4): "holiday"}))


def test_monthly_summary_by_hand():
    summaries = monthly_summary(rules(), PEOPLE, march_of_ann(), "2026-03")
    ann, bo, cy = summaries
    assert ann == MonthlySummary(
        month="2026-03", person_id="E1", name="Ann", scheduled_days=21, days_worked=20,
        late_count=2, late_minutes=27, early_leave_count=2, early_leave_minutes=90,
        absent_days=1, missing_punches=1, worked_minutes=9213, overtime_minutes=180,
        worked_hours=153.55, overtime_hours=3.0, corrected_days=1)
    assert (bo.person_id, bo.scheduled_days, bo.absent_days, bo.days_worked,
            bo.worked_hours) == ("E2", 11, 11, 0, 0.0)
    assert (cy.person_id, cy.scheduled_days, cy.absent_days) == ("E3", 12, 12)


def test_the_summary_adds_up_the_daily_sheet():
    month = parse_month("2026-03")
    rows = [r for r in daily_sheet(rules(), PEOPLE, march_of_ann(), month.first_day,
                                   month.last_day) if r.person_id == "E1"]
    assert len(rows) == 31
    (ann, *_) = monthly_summary(rules(), PEOPLE, march_of_ann(), month)
    assert ann.worked_minutes == sum(r.worked_minutes for r in rows)
    assert ann.overtime_minutes == sum(r.overtime_minutes for r in rows)
    assert [r.status.value for r in rows[:9]] == [
        "rest_day", "late", "early_leave", "holiday", "missing_punch", "present",
        "rest_day", "rest_day", "late_and_early_leave"]


def test_a_month_of_nights_across_the_dst_change():
    """Every night of March 2026 in Berlin, 22:00-06:00: the night into 29 March is an
    hour short on the clock, and so in the sums (no early leave: the shift is short too)."""
    rules = everyone(night_shift(breaks=()), zone="Europe/Berlin")
    ps: list[Punch] = []
    for day in range(1, 32):
        ps += punches("Europe/Berlin", D(2026, 3, day), "22:00", "+06:00")
    (nick,) = monthly_summary(rules, [Person("E1", "Nick")], ps, Month(2026, 3))
    assert (nick.days_worked, nick.worked_minutes, nick.worked_hours, nick.early_leave_count,
            nick.overtime_minutes) == (31, 31 * 480 - 60, 247.0, 0, 0)


@pytest.mark.parametrize(("minutes", "expected"), [
    (0, 0.0), (1, 0.02), (7, 0.12), (30, 0.5), (59, 0.98), (100, 1.67), (9183, 153.05)])
def test_hours_round_to_two_decimals(minutes, expected):
    assert hours(minutes) == expected


def test_month_bounds():
    assert (Month(2026, 2).first_day, Month(2026, 2).last_day) == (D(2026, 2, 1),
                                                                   D(2026, 2, 28))
    assert Month(2028, 2).last_day == D(2028, 2, 29)
    assert Month(2026, 12).last_day == D(2026, 12, 31)
    assert str(parse_month("2026-03")) == "2026-03"
