"""Shifts, the calendar, the zone: spellings, lengths, where a shift lands in time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from device.timekeeping import (
    Break,
    DayKind,
    Shift,
    WorkCalendar,
    format_weekdays,
    parse_date,
    parse_time,
    parse_weekdays,
    site_zone,
    wall_instant,
)
from tests.timekeeping.support import MON, SAT, day_shift, hm, iso, night_shift

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("text", "expected"), [
    ("09:00", dt.time(9)), ("9:05", dt.time(9, 5)), ("00:00", dt.time(0)),
    ("23:59", dt.time(23, 59)), (" 18:30 ", dt.time(18, 30)),
])
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(("text", "days"), [
    ("mon-fri", {0, 1, 2, 3, 4}), ("MON-FRI", {0, 1, 2, 3, 4}), ("sat-sun", {5, 6}),
    ("mon,wed,fri", {0, 2, 4}), ("fri-mon", {4, 5, 6, 0}), ("mon-fri,sun", {0, 1, 2, 3, 4, 6}),
    ("all", set(range(7))), ("none", set()), ("thu", {3}), ("mon - wed", {0, 1, 2}),
])
def test_parse_weekdays(text, days):
    assert parse_weekdays(text) == frozenset(days)


@pytest.mark.parametrize(("days", "text"), [
    ({0, 1, 2, 3, 4}, "mon-fri"), ({5, 6}, "sat-sun"), ({0, 2, 4}, "mon,wed,fri"),
    (set(range(7)), "mon-sun"), (set(), "none"), ({0, 1, 3, 5, 6}, "mon-tue,thu,sat-sun"),
])
def test_format_weekdays_reads_back(days, text):
    assert format_weekdays(days) == text
    assert parse_weekdays(text) == frozenset(days)


def test_lengths():
    assert (day_shift().length_minutes, day_shift().break_minutes) == (540, 60)
    assert (night_shift().length_minutes, night_shift().break_minutes) == (480, 30)
    assert day_shift().break_offsets == ((180, 240),)
    assert night_shift().break_offsets == ((240, 270),)


def test_instance_of_a_night_shift_with_a_break_after_midnight():
    shanghai = site_zone("Asia/Shanghai")
    night = night_shift(breaks=(Break(hm("23:30"), hm("00:15")), Break(hm("03:00"),
                                                                       hm("03:20"))))
    inst = night.on(MON, shanghai)
    assert inst.start == iso("2026-03-02T22:00+08:00")
    assert inst.end == iso("2026-03-03T06:00+08:00")
    assert inst.breaks == ((iso("2026-03-02T23:30+08:00"), iso("2026-03-03T00:15+08:00")),
                           (iso("2026-03-03T03:00+08:00"), iso("2026-03-03T03:20+08:00")))
    assert inst.break_overlap(iso("2026-03-03T00:00+08:00"), iso("2026-03-03T03:10+08:00")) \
        == 25 * 60


@pytest.mark.parametrize(("day", "hours"), [
    (dt.date(2026, 3, 28), 7), (dt.date(2026, 10, 24), 9), (dt.date(2026, 6, 6), 8)])
def test_night_shift_real_length_in_berlin(day, hours):
    inst = night_shift().on(day, BERLIN)
    assert inst.end - inst.start == hours * 3600


def test_wall_instant_on_change_days():
    # in the spring gap: the offset before the change (02:30 is read as 03:30 CEST)
    assert wall_instant(BERLIN, dt.date(2026, 3, 29), hm("02:30")) == \
        iso("2026-03-29T03:30+02:00")
    # in the autumn overlap: the first occurrence (still CEST)
    assert wall_instant(BERLIN, dt.date(2026, 10, 25), hm("02:30")) == \
        iso("2026-10-25T02:30+02:00")


def test_payload_round_trip():
    for shift in (day_shift(), night_shift(), day_shift(days=frozenset({0, 2, 5}))):
        assert Shift.from_payload(shift.as_payload()) == shift
    assert day_shift().as_payload() == {
        "name": "Day", "start": "09:00", "end": "18:00", "overnight": False,
        "late_grace_minutes": 5, "early_grace_minutes": 5, "breaks": ["12:00-13:00"],
        "days": "mon-fri"}
    # overnight is implied by an end before the start
    minimal = Shift.from_payload({"name": "N", "start": "22:00", "end": "06:00"})
    assert (minimal.overnight, minimal.days, minimal.late_grace_minutes) == (
        True, frozenset(range(5)), 0)


def test_shift_name_is_cleaned():
    assert Shift("  早班 ", hm("08:00"), hm("16:00")).name == "早班"


class TestCalendar:
    def test_kinds(self):
        calendar = WorkCalendar(holidays={MON: "Labour day"},
                                make_up_days=frozenset({SAT}))
        shift = day_shift()
        assert calendar.kind(MON, shift) is DayKind.HOLIDAY
        assert calendar.kind(MON + dt.timedelta(1), shift) is DayKind.WORK
        assert calendar.kind(SAT, shift) is DayKind.WORK
        assert calendar.kind(SAT + dt.timedelta(1), shift) is DayKind.REST
        assert calendar.day_boundary == dt.time(4)

    def test_payload_round_trip(self):
        calendar = WorkCalendar(holidays={MON: "Labour day"}, make_up_days=frozenset({SAT}),
                                day_boundary=hm("05:30"))
        payload = calendar.as_payload()
        assert payload == {"holidays": {"2026-03-02": "Labour day"},
                           "make_up_days": ["2026-03-07"], "day_boundary": "05:30"}
        back = WorkCalendar.from_payload(payload)
        assert (dict(back.holidays), back.make_up_days, back.day_boundary) == (
            {MON: "Labour day"}, frozenset({SAT}), hm("05:30"))

    def test_parse_date(self):
        assert parse_date("2026-03-02") == MON
