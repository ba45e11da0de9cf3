"""Every bad rule and bad report input: a RuleError (a ValueError and a BadInput) whose
message is one line and says what is wrong."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import pytest

from device.errors import BadInput
from device.timekeeping import (
    Assignment,
    Break,
    Month,
    Person,
    Punch,
    RuleError,
    Rules,
    Shift,
    WorkCalendar,
    daily_sheet,
    monthly_summary,
    parse_date,
    parse_month,
    parse_time,
    parse_weekdays,
    site_zone,
)
from tests.timekeeping.support import MON, SAT, SHANGHAI, day_shift, everyone, hm

D = dt.date


def shift(start: str = "09:00", end: str = "18:00", **more: object) -> Callable[[], object]:
    return lambda: Shift("Day", hm(start), hm(end), **more)  # type: ignore[arg-type]


def rules_with(*assignments: Assignment, shifts: tuple[Shift, ...] = ()) -> Callable[
        [], object]:
    return lambda: Rules(SHANGHAI, shifts or (day_shift(),), assignments)


BAD: list[tuple[str, Callable[[], object], str]] = [
    # shifts
    ("end before start, not overnight", shift("22:00", "06:00"),
     r"shift 'Day': ends at 06:00, before it starts at 22:00; mark it overnight"),
    ("overnight that is not", shift("09:00", "17:00", overnight=True),
     r"marked overnight but 09:00-17:00 does not cross midnight"),
    ("no length", shift("09:00", "09:00"), r"starts and ends at 09:00"),
    ("negative late grace", shift(late_grace_minutes=-1),
     r"late grace minutes -1: cannot be negative"),
    ("negative early grace", shift(early_grace_minutes=-5),
     r"early-leave grace minutes -5: cannot be negative"),
    ("late grace longer than the shift", shift(late_grace_minutes=541),
     r"late grace of 541 minutes is longer than the shift \(540 minutes\)"),
    ("early grace longer than an overnight shift",
     shift("22:00", "06:00", overnight=True, early_grace_minutes=481),
     r"early-leave grace of 481 minutes is longer than the shift \(480 minutes\)"),
    ("grace as a float", shift(late_grace_minutes=2.5), r"whole number of minutes"),
    ("grace as a bool", shift(late_grace_minutes=True), r"whole number of minutes"),
    ("start with seconds", lambda: Shift("Day", dt.time(9, 0, 30), hm("18:00")),
     r"whole minutes only"),
    ("start with a zone", lambda: Shift("Day", dt.time(9, tzinfo=dt.UTC), hm("18:00")),
     r"without a zone"),
    ("start as text", lambda: Shift("Day", "09:00", hm("18:00")),  # type: ignore[arg-type]
     r"must be a time of day"),
    ("empty name", lambda: Shift(" ", hm("09:00"), hm("18:00")), r"shift name"),
    ("weekday out of range", shift(days=frozenset({7})), r"weekday numbers 0 \(Monday\) to 6"),
    ("break outside", shift(breaks=(Break(hm("08:00"), hm("09:30")),)),
     r"break 08:00-09:30 is not inside the shift 09:00-18:00"),
    ("break after the end", shift(breaks=(Break(hm("17:30"), hm("18:30")),)),
     r"not inside the shift"),
    ("breaks overlapping", shift(breaks=(Break(hm("12:00"), hm("13:00")),
                                         Break(hm("12:30"), hm("13:30")))),
     r"break 12:30-13:30 overlaps or precedes the one before"),
    ("breaks filling the shift", shift(breaks=(Break(hm("09:00"), hm("18:00")),)),
     r"its breaks fill the whole shift"),
    ("break of no length", lambda: Break(hm("12:00"), hm("12:00")),
     r"starts and ends at the same time"),
    ("overnight flag not a bool", shift("22:00", "06:00", overnight="yes"),
     r"overnight must be true or false"),
    # shift payloads
    ("payload without a start", lambda: Shift.from_payload({"name": "X", "end": "18:00"}),
     r"missing field 'start'"),
    ("payload with a bad break", lambda: Shift.from_payload(
        {"name": "X", "start": "09:00", "end": "18:00", "breaks": ["12:00"]}),
     r"break '12:00': give HH:MM-HH:MM"),
    # rules and assignments
    ("unknown shift in an assignment", rules_with(Assignment(("Late",), everyone=True)),
     r"assignment of everyone: unknown shift 'Late'"),
    ("overlapping assignments", rules_with(
        Assignment(("Day",), person_id="E1", start=D(2026, 3, 1), end=D(2026, 3, 10)),
        Assignment(("Day",), person_id="E1", start=D(2026, 3, 10))),
     r"overlapping regular assignments of person E1: regular Day 2026-03-01..2026-03-10 "
     r"and regular Day 2026-03-10..open"),
    ("two shifts of one name", lambda: Rules(SHANGHAI, (day_shift(), day_shift())),
     r"two shifts are named 'Day'"),
    ("assignment to nobody", lambda: Assignment(("Day",)),
     r"exactly one of a person, a group or everyone"),
    ("assignment to two targets", lambda: Assignment(("Day",), person_id="E1",
                                                     everyone=True),
     r"exactly one of a person, a group or everyone"),
    ("assignment without a shift", lambda: Assignment((), everyone=True),
     r"name at least one shift"),
    ("assignment ending before it starts", lambda: Assignment(
        ("Day",), everyone=True, start=D(2026, 3, 10), end=D(2026, 3, 9)),
     r"ends 2026-03-09, before it starts 2026-03-10"),
    ("assignment of a bad kind", lambda: Assignment(("Day",), everyone=True,
                                                    kind="weekly"),  # type: ignore[arg-type]
     r"kind 'weekly' is neither regular nor temporary"),
    ("assignment to a bad id", lambda: Assignment(("Day",), person_id="a/b"),
     r"assignment: staff id 'a/b'"),
    ("unknown calculation mode", lambda: Rules(SHANGHAI, (), (), WorkCalendar(),
                                               "weekly"),  # type: ignore[arg-type]
     r"calculation mode 'weekly': use first_in_last_out or each_check"),
    # time zones
    ("unknown time zone", lambda: Rules("Mars/Olympus"),
     r"time zone 'Mars/Olympus' does not exist; give an IANA name"),
    ("a folder", lambda: site_zone("Europe"), r"time zone 'Europe' does not exist"),
    ("wrong case", lambda: site_zone("asia/shanghai"), r"does not exist"),
    ("a path", lambda: site_zone("../etc/passwd"), r"does not exist"),
    ("the machine's zone", lambda: site_zone("localtime"), r"does not exist"),
    ("empty", lambda: site_zone(""), r"give an IANA name"),
    ("not text", lambda: site_zone(8), r"give an IANA name"),  # type: ignore[arg-type]
    # months and dates
    ("month 13", lambda: parse_month("2026-13"), r"month '2026-13': there is no month 13"),
    ("month 00", lambda: parse_month("2026-00"), r"there is no month 00"),
    ("month without zero", lambda: parse_month("2026-1"), r"give YYYY-MM"),
    ("month by name", lambda: parse_month("March"), r"give YYYY-MM"),
    ("month record 13", lambda: Month(2026, 13), r"month 2026-13: give YYYY-MM"),
    ("monthly report of month 13", lambda: monthly_summary(everyone(day_shift()), [], [],
                                                           "2026-13"), r"no month 13"),
    ("date that does not exist", lambda: parse_date("2026-02-30"), r"give a date"),
    ("report range backwards", lambda: daily_sheet(everyone(day_shift()), [], [], SAT, MON),
     r"report range: ends 2026-03-02, before it starts 2026-03-07"),
    ("report range of datetimes", lambda: daily_sheet(
        everyone(day_shift()), [], [], dt.datetime(2026, 3, 2), MON),
     r"report range: give dates"),
    # calendar
    ("holiday and make-up day", lambda: WorkCalendar(holidays={SAT: "x"},
                                                      make_up_days=frozenset({SAT})),
     r"2026-03-07 is both a holiday and a make-up work day"),
    ("day boundary with seconds", lambda: WorkCalendar(day_boundary=dt.time(4, 0, 1)),
     r"day boundary: give a wall-clock time in whole minutes"),
    ("holiday that is not a date", lambda: WorkCalendar(
        holidays={"2026-03-02": "x"}),  # type: ignore[dict-item]
     r"holiday: must be a date"),
    # spellings
    ("hour 25", lambda: parse_time("25:00"), r"time '25:00': give HH:MM"),
    ("minute 60", lambda: parse_time("09:60"), r"give HH:MM"),
    ("no minutes", lambda: parse_time("9"), r"give HH:MM"),
    ("weekday misspelt", lambda: parse_weekdays("mon-fry"), r"work days 'mon-fry': use mon"),
    ("no weekdays", lambda: parse_weekdays(""), r"give e.g. mon-fri"),
    # records
    ("punch status", lambda: Punch("E1", 0.0, status="IN"),
     r"status 'IN' is neither in nor out"),
    ("punch time not finite", lambda: Punch("E1", math.nan), r"is not epoch seconds"),
    ("punch time as text", lambda: Punch("E1", "noon"),  # type: ignore[arg-type]
     r"is not epoch seconds"),
    ("the same person twice", lambda: daily_sheet(
        everyone(day_shift()), [Person("E1", "a"), Person("E1", "b")], [], MON, MON),
     r"person E1 is listed twice"),
]


@pytest.mark.parametrize(("case", "call", "message"), BAD, ids=[c for c, _, _ in BAD])
def test_bad_input_is_one_clear_line(case, call, message):
    with pytest.raises(RuleError, match=message) as caught:
        call()
    text = str(caught.value)
    assert "\n" not in text and text == text.strip() and text
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, BadInput)


def test_group_conflict_surfaces_when_the_day_is_computed():
    rules = Rules(SHANGHAI, (day_shift(), Shift("Early", hm("07:00"), hm("16:00"))), (
        Assignment(("Day",), group_id="a"), Assignment(("Early",), group_id="b")))
    with pytest.raises(RuleError, match=r"^person E1: groups a and b both assign a regular "
                                        r"shift on 2026-03-0\d$"):
        daily_sheet(rules, [Person("E1", "Ann", ("a", "b"))], [], MON, MON)


def test_rule_error_flattens_a_multi_line_message():
    assert str(RuleError("one\n  two\tthree ")) == "one two three"
