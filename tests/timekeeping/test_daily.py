"""The daily figures: every rule of docs/attendance.md, on values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from device.timekeeping import (
    Assignment,
    CalculationMode,
    DayStatus,
    Person,
    Punch,
    Rules,
    ScheduleKind,
    Shift,
    WorkCalendar,
    daily_figures,
    daily_sheet,
    person_days,
)
from tests.timekeeping.support import (
    ANN,
    MON,
    SAT,
    SHANGHAI,
    TUE,
    at,
    day_shift,
    everyone,
    hm,
    night_shift,
    one_day,
    punches,
)

S = DayStatus
EACH = CalculationMode.EACH_CHECK

# Day shift 09:00-18:00, grace 5/5, lunch 12:00-13:00 (unpaid), Monday 2026-03-02.
FIRST_LAST_CASES = [
    # in, out, worked, late, early, overtime, status
    ("09:00", "18:00", 480, 0, 0, 0, S.PRESENT),
    ("09:05", "18:00", 475, 0, 0, 0, S.PRESENT),  # within the grace
    ("09:05:59", "18:00", 474, 0, 0, 0, S.PRESENT),  # seconds dropped: 5 minutes late
    ("09:06", "18:00", 474, 6, 0, 0, S.LATE),  # beyond it: counted from 09:00
    ("09:07", "18:00", 473, 7, 0, 0, S.LATE),
    ("08:50", "17:55", 485, 0, 0, 0, S.PRESENT),  # early by the grace exactly
    ("08:50", "17:54", 484, 0, 6, 0, S.EARLY_LEAVE),
    ("09:30", "17:00", 390, 30, 60, 0, S.LATE_AND_EARLY_LEAVE),
    ("08:00", "19:30", 630, 0, 0, 90, S.PRESENT),  # early arrival is not overtime
    ("12:30", "18:00", 300, 210, 0, 0, S.LATE),  # half the lunch break deducted
    ("09:00", "12:30", 180, 0, 330, 0, S.EARLY_LEAVE),
    ("09:00", "+02:00", 960, 0, 0, 480, S.PRESENT),  # out at 02:00: before the 04:00 boundary
]


@pytest.mark.parametrize(("first", "last", "worked", "late", "early", "overtime", "status"),
                         FIRST_LAST_CASES)
def test_first_in_last_out_figures(first, last, worked, late, early, overtime, status):
    row = one_day(everyone(day_shift()), MON, punches(SHANGHAI, MON, first, last))
    assert (row.worked_minutes, row.late_minutes, row.early_leave_minutes,
            row.overtime_minutes, row.status) == (worked, late, early, overtime, status)
    assert row.shift == "Day"
    assert row.corrected is False


def test_row_times_are_aware_in_the_site_zone():
    row = one_day(everyone(day_shift()), MON, punches(SHANGHAI, MON, "09:07", "18:30"))
    assert row.date == MON and row.person_id == "E1" and row.name == "Ann"
    assert row.first_in is not None and row.last_out is not None
    assert row.first_in.isoformat() == "2026-03-02T09:07:00+08:00"
    assert row.last_out.isoformat() == "2026-03-02T18:30:00+08:00"


def test_middle_punches_do_not_matter_in_first_in_last_out():
    ps = punches(SHANGHAI, MON, "08:58", "11:00", "12:10", "13:05", "15:00", "18:02")
    row = one_day(everyone(day_shift()), MON, ps)
    assert (row.worked_minutes, row.overtime_minutes, row.status) == (484, 2, S.PRESENT)


def test_two_doors_give_one_in_and_one_out():
    """Each door toggles on its own, so both punches say "in"; the day still has an out."""
    ps = [Punch("E1", at(SHANGHAI, MON, "08:59"), "door-a", "Main entrance", "in", seq=1),
          Punch("E1", at(SHANGHAI, MON, "18:01"), "door-b", "Loading bay", "in", seq=2)]
    row = one_day(everyone(day_shift()), MON, ps)
    assert (row.status, row.worked_minutes, row.overtime_minutes) == (S.PRESENT, 482, 1)
    assert (row.in_door, row.out_door) == ("Main entrance", "Loading bay")
    # The same punches counted by status cannot pair: two ins, no out.
    paired = one_day(everyone(day_shift(), mode=EACH), MON, ps)
    assert (paired.status, paired.worked_minutes, paired.last_out) == (
        S.MISSING_PUNCH, 0, None)


def test_door_id_stands_in_for_a_door_without_a_name():
    ps = [Punch("E1", at(SHANGHAI, MON, "09:00"), "door-7"),
          Punch("E1", at(SHANGHAI, MON, "18:00"), "door-8", "")]
    row = one_day(everyone(day_shift()), MON, ps)
    assert (row.in_door, row.out_door) == ("door-7", "door-8")


@pytest.mark.parametrize(("clock", "first_in", "last_out", "late", "early"), [
    ("09:02", "09:02", None, 0, 0),
    ("09:20", "09:20", None, 20, 0),  # late is counted; the day is still a missing punch
    ("13:29", "13:29", None, 269, 0),  # nearer the start (09:00) than the end (18:00)
    ("13:31", None, "13:31", 0, 269),  # nearer the end: it is the out, the in is missing
    ("18:10", None, "18:10", 0, 0),
])
def test_a_lone_punch_is_a_missing_punch(clock, first_in, last_out, late, early):
    row = one_day(everyone(day_shift()), MON, punches(SHANGHAI, MON, clock))
    assert row.status is S.MISSING_PUNCH
    assert (row.first_in and row.first_in.strftime("%H:%M")) == first_in
    assert (row.last_out and row.last_out.strftime("%H:%M")) == last_out
    assert (row.worked_minutes, row.late_minutes, row.early_leave_minutes,
            row.overtime_minutes) == (0, late, early, 0)


def test_no_punch_on_a_work_day_is_absent():
    row = one_day(everyone(day_shift()), MON, [])
    assert (row.status, row.shift, row.first_in, row.last_out, row.worked_minutes,
            row.late_minutes, row.early_leave_minutes, row.overtime_minutes) == (
        S.ABSENT, "Day", None, None, 0, 0, 0, 0)


def test_rest_day_work_is_all_overtime():
    row = one_day(everyone(day_shift()), SAT, punches(SHANGHAI, SAT, "10:00", "14:00"))
    # 4 hours minus the shift's lunch 12:00-13:00: the shift's times frame its rest days too
    assert (row.status, row.worked_minutes, row.overtime_minutes, row.late_minutes) == (
        S.REST_DAY, 180, 180, 0)
    assert one_day(everyone(day_shift()), SAT, []).status is S.REST_DAY


def test_holiday_work_is_all_overtime_and_nobody_is_absent():
    calendar = WorkCalendar(holidays={MON: "Test holiday"})
    rules = everyone(day_shift(), calendar=calendar)
    worked = one_day(rules, MON, punches(SHANGHAI, MON, "09:30", "18:00"))
    assert (worked.status, worked.worked_minutes, worked.overtime_minutes,
            worked.late_minutes) == (S.HOLIDAY, 450, 450, 0)
    off = one_day(rules, MON, [])
    assert (off.status, off.worked_minutes) == (S.HOLIDAY, 0)
    # A holiday applies to people without a shift too.
    bare = Rules(SHANGHAI, (day_shift(),), (), calendar)
    no_shift = one_day(bare, MON, punches(SHANGHAI, MON, "10:00", "11:00"))
    assert (no_shift.status, no_shift.shift, no_shift.worked_minutes,
            no_shift.overtime_minutes) == (S.HOLIDAY, None, 60, 60)


def test_make_up_work_day_on_a_saturday():
    rules = everyone(day_shift(), calendar=WorkCalendar(make_up_days=frozenset({SAT})))
    assert one_day(rules, SAT, []).status is S.ABSENT
    row = one_day(rules, SAT, punches(SHANGHAI, SAT, "09:00", "18:00"))
    assert (row.status, row.worked_minutes, row.overtime_minutes) == (S.PRESENT, 480, 0)


def test_without_an_assignment_the_day_has_no_shift():
    rules = Rules(SHANGHAI, (day_shift(),))
    row = one_day(rules, MON, punches(SHANGHAI, MON, "09:30", "17:00"))
    assert (row.status, row.shift, row.worked_minutes, row.late_minutes,
            row.early_leave_minutes, row.overtime_minutes) == (S.NO_SHIFT, None, 450, 0, 0, 0)
    assert one_day(rules, MON, []).status is S.NO_SHIFT


class TestDayBoundary:
    def test_a_punch_at_2am_belongs_to_the_previous_work_day(self):
        ps = punches(SHANGHAI, MON, "09:00", "+02:00") + punches(SHANGHAI, TUE, "09:00",
                                                                    "18:00")
        mon, tue = daily_sheet(everyone(day_shift()), [ANN], ps, MON, TUE)
        assert mon.last_out is not None and mon.last_out.isoformat() == \
            "2026-03-03T02:00:00+08:00"
        assert (mon.worked_minutes, mon.overtime_minutes) == (960, 480)
        assert (tue.status, tue.worked_minutes) == (S.PRESENT, 480)

    def test_the_boundary_itself_opens_the_next_day(self):
        ps = punches(SHANGHAI, MON, "09:00", "18:00", "+04:00")
        mon, tue = daily_sheet(everyone(day_shift()), [ANN], ps, MON, TUE)
        assert (mon.status, mon.worked_minutes) == (S.PRESENT, 480)
        assert tue.status is S.MISSING_PUNCH
        assert tue.first_in is not None and tue.first_in.hour == 4

    def test_a_configured_boundary(self):
        ps = punches(SHANGHAI, MON, "09:00", "+05:00")
        late_boundary = everyone(day_shift(), calendar=WorkCalendar(day_boundary=hm("06:00")))
        mon, tue = daily_sheet(late_boundary, [ANN], ps, MON, TUE)
        assert (mon.worked_minutes, mon.overtime_minutes, tue.status) == (1140, 660, S.ABSENT)
        mon, tue = daily_sheet(everyone(day_shift()), [ANN], ps, MON, TUE)  # 04:00
        assert (mon.status, tue.status) == (S.MISSING_PUNCH, S.MISSING_PUNCH)

    def test_punches_outside_the_range_are_not_reported(self):
        ps = punches(SHANGHAI, MON - dt.timedelta(days=1), "+03:00") + punches(
            SHANGHAI, TUE, "09:00", "18:00")
        (mon,) = daily_sheet(everyone(day_shift()), [ANN], ps, MON, MON)
        assert mon.status is S.ABSENT  # 03:00 on Monday belongs to Sunday


class TestOvernight:
    def test_night_shift_with_the_out_after_midnight(self):
        ps = punches(SHANGHAI, MON, "21:55", "+06:05")
        row = one_day(everyone(night_shift()), MON, ps)
        # 8 h 10 min minus the 02:00-02:30 break; 5 minutes after 06:00 are overtime
        assert (row.status, row.shift, row.worked_minutes, row.late_minutes,
                row.overtime_minutes) == (S.PRESENT, "Night", 460, 0, 5)
        assert row.last_out is not None and row.last_out.isoformat() == \
            "2026-03-03T06:05:00+08:00"

    def test_late_and_early_on_a_night_shift(self):
        row = one_day(everyone(night_shift()), MON, punches(SHANGHAI, MON, "22:10", "+05:50"))
        assert (row.status, row.worked_minutes, row.late_minutes,
                row.early_leave_minutes) == (S.LATE_AND_EARLY_LEAVE, 430, 10, 10)

    def test_consecutive_nights_stay_apart_despite_the_4am_boundary(self):
        ps = (punches(SHANGHAI, MON, "21:58", "+06:01") + punches(SHANGHAI, TUE, "22:00",
                                                                     "+06:00"))
        mon, tue = daily_sheet(everyone(night_shift()), [ANN], ps, MON, TUE)
        assert (mon.status, mon.worked_minutes, mon.overtime_minutes) == (S.PRESENT, 453, 1)
        assert (tue.status, tue.worked_minutes, tue.overtime_minutes) == (S.PRESENT, 450, 0)
        assert tue.first_in is not None and tue.first_in.isoformat() == \
            "2026-03-03T22:00:00+08:00"

    def test_night_before_a_rest_day_and_before_a_day_without_shift(self):
        fri = dt.date(2026, 3, 6)
        weeknights = night_shift(days=frozenset(range(5)))
        ps = punches(SHANGHAI, fri, "22:00", "+06:03")
        fri_row, sat_row = daily_sheet(everyone(weeknights), [ANN], ps, fri, SAT)
        assert (fri_row.status, fri_row.worked_minutes, fri_row.overtime_minutes) == (
            S.PRESENT, 453, 3)
        assert (sat_row.status, sat_row.first_in) == (S.REST_DAY, None)
        # The assignment ends on Friday: Saturday has no shift, the 06:03 is still Friday's.
        ending = Rules(SHANGHAI, (weeknights,), (Assignment(("Night",), everyone=True,
                                                            end=fri),))
        fri_row, sat_row = daily_sheet(ending, [ANN], ps, fri, SAT)
        assert (fri_row.worked_minutes, sat_row.status, sat_row.first_in) == (
            453, S.NO_SHIFT, None)

    def test_a_night_worked_on_a_rest_day_is_one_day_of_overtime(self):
        weeknights = night_shift(days=frozenset(range(5)))
        ps = punches(SHANGHAI, SAT, "22:00", "+06:00")
        sat, sun = daily_sheet(everyone(weeknights), [ANN], ps, SAT, SAT + dt.timedelta(1))
        assert (sat.status, sat.worked_minutes, sat.overtime_minutes) == (S.REST_DAY, 450, 450)
        assert (sun.status, sun.worked_minutes, sun.first_in) == (S.REST_DAY, 0, None)

    def test_a_shift_starting_before_the_boundary_keeps_its_early_punches(self):
        dawn = Shift("Dawn", hm("03:00"), hm("11:00"))
        ps = punches(SHANGHAI, MON, "02:55", "11:00")
        row = one_day(everyone(dawn), MON, ps)
        assert (row.status, row.worked_minutes) == (S.PRESENT, 485)


class TestCorrections:
    def test_voided_punch_is_ignored_and_the_day_marked(self):
        ps = punches(SHANGHAI, MON, "08:55", "09:10", "18:00")
        ps[0] = Punch("E1", ps[0].time, "door-a", voided=True, seq=1)
        row = one_day(everyone(day_shift()), MON, ps)
        assert (row.status, row.late_minutes, row.worked_minutes, row.corrected) == (
            S.LATE, 10, 470, True)
        assert row.first_in is not None and row.first_in.strftime("%H:%M") == "09:10"

    def test_an_added_punch_is_used_and_marked(self):
        added = Punch("E1", at(SHANGHAI, MON, "18:00"), "hub", corrected=True, seq=9)
        row = one_day(everyone(day_shift()), MON, [*punches(SHANGHAI, MON, "09:00"), added])
        assert (row.status, row.worked_minutes, row.corrected) == (S.PRESENT, 480, True)

    def test_voiding_every_punch_leaves_an_absence_marked_corrected(self):
        ps = [Punch("E1", at(SHANGHAI, MON, "09:00"), voided=True)]
        row = one_day(everyone(day_shift()), MON, ps)
        assert (row.status, row.first_in, row.corrected) == (S.ABSENT, None, True)

    def test_other_days_are_not_marked(self):
        ps = [*punches(SHANGHAI, MON, "09:00", "18:00"),
              Punch("E1", at(SHANGHAI, TUE, "09:00"), corrected=True),
              Punch("E1", at(SHANGHAI, TUE, "18:00"))]
        mon, tue = daily_sheet(everyone(day_shift()), [ANN], ps, MON, TUE)
        assert (mon.corrected, tue.corrected) == (False, True)


class TestEachCheck:
    @pytest.mark.parametrize(("marks", "worked", "overtime", "status"), [
        # lunch out 11:30, back 13:10: 150 + 320 (first-in/last-out would say 510)
        ([("09:00", "in"), ("11:30", "out"), ("13:10", "in"), ("18:30", "out")],
         470, 30, S.PRESENT),
        # 13:00 in never closed: the 14:00 in opens again; pairs 09-12 and 14-18
        ([("09:00", "in"), ("12:00", "out"), ("13:00", "in"), ("14:00", "in"),
          ("18:00", "out")], 420, 0, S.MISSING_PUNCH),
        # an in without an out at the end of the day
        ([("09:00", "in"), ("12:00", "out"), ("13:00", "in")], 180, 0, S.MISSING_PUNCH),
        # an out with no in before it
        ([("08:00", "out"), ("09:00", "in"), ("18:00", "out")], 480, 0, S.MISSING_PUNCH),
        # no status: in, out, in, out by turns
        ([("09:00", None), ("12:00", None), ("13:00", None), ("18:00", None)],
         480, 0, S.PRESENT),
        # a pair inside the lunch break earns nothing
        ([("09:00", "in"), ("12:10", "out"), ("12:20", "in"), ("12:50", "out"),
          ("13:00", "in"), ("18:00", "out")], 480, 0, S.PRESENT),
    ])
    def test_pairs_are_summed(self, marks, worked, overtime, status):
        ps = [Punch("E1", at(SHANGHAI, MON, clock), "door-a", None, mark, seq=i)
              for i, (clock, mark) in enumerate(marks)]
        row = one_day(everyone(day_shift(), mode=EACH), MON, ps)
        assert (row.worked_minutes, row.overtime_minutes, row.status) == (
            worked, overtime, status)

    def test_first_in_and_last_out_by_status(self):
        ps = [Punch("E1", at(SHANGHAI, MON, c), "d", None, s, seq=i) for i, (c, s) in
              enumerate([("08:40", "out"), ("09:12", "in"), ("17:00", "out"),
                         ("17:30", "in")])]
        row = one_day(everyone(day_shift(), mode=EACH), MON, ps)
        assert row.first_in is not None and row.last_out is not None
        assert (row.first_in.strftime("%H:%M"), row.last_out.strftime("%H:%M")) == (
            "09:12", "17:00")
        assert (row.late_minutes, row.early_leave_minutes, row.worked_minutes,
                row.status) == (12, 60, 408, S.MISSING_PUNCH)


class TestNearestTimetable:
    @staticmethod
    def rules() -> Rules:
        morning = Shift("Morning", hm("06:00"), hm("14:00"), late_grace_minutes=5)
        afternoon = Shift("Afternoon", hm("14:00"), hm("22:00"), late_grace_minutes=5)
        return everyone(morning, afternoon)

    @pytest.mark.parametrize(("marks", "shift", "late", "worked", "status"), [
        (("13:40", "22:00"), "Afternoon", 0, 500, S.PRESENT),
        (("06:10", "14:00"), "Morning", 10, 470, S.LATE),
        (("14:20", "22:00"), "Afternoon", 20, 460, S.LATE),
        (("10:00", "18:00"), "Morning", 240, 480, S.LATE),  # a tie: the first assigned
    ])
    def test_the_shift_starting_nearest_the_first_punch(self, marks, shift, late, worked,
                                                       status):
        row = one_day(self.rules(), MON, punches(SHANGHAI, MON, *marks))
        assert (row.shift, row.late_minutes, row.worked_minutes, row.status) == (
            shift, late, worked, status)

    def test_absent_shows_the_first_assigned(self):
        assert one_day(self.rules(), MON, []).shift == "Morning"

    def test_a_shift_worked_that_day_is_preferred(self):
        weekday = Shift("Weekday", hm("09:00"), hm("18:00"))
        weekend = Shift("Weekend", hm("10:00"), hm("16:00"), days=frozenset({5, 6}))
        rules = everyone(weekday, weekend)
        assert one_day(rules, MON, punches(SHANGHAI, MON, "10:00", "16:00")).shift == \
            "Weekday"
        sat = one_day(rules, SAT, punches(SHANGHAI, SAT, "09:00", "16:00"))
        assert (sat.shift, sat.status, sat.late_minutes) == ("Weekend", S.PRESENT, 0)


class TestAssignmentsOnTheSheet:
    def test_temporary_schedule_wins(self):
        early = Shift("Early", hm("07:00"), hm("16:00"))
        rules = Rules(SHANGHAI, (day_shift(), early), (
            Assignment(("Day",), person_id="E1"),
            Assignment(("Early",), everyone=True, start=TUE, end=TUE,
                       kind=ScheduleKind.TEMPORARY)))
        ps = punches(SHANGHAI, MON, "07:00", "16:00") + punches(SHANGHAI, TUE, "07:00",
                                                                  "16:00")
        mon, tue = daily_sheet(rules, [ANN], ps, MON, TUE)
        assert (mon.shift, mon.status, mon.early_leave_minutes) == ("Day", S.EARLY_LEAVE, 120)
        assert (tue.shift, tue.status, tue.worked_minutes) == ("Early", S.PRESENT, 540)

    def test_group_schedule(self):
        rules = Rules(SHANGHAI, (day_shift(), night_shift()), (
            Assignment(("Day",), everyone=True), Assignment(("Night",), group_id="guards")))
        guard = Person("G1", "Gao", ("guards",))
        rows = daily_sheet(rules, [ANN, guard], [], MON, MON)
        assert [(r.person_id, r.shift) for r in rows] == [("E1", "Day"), ("G1", "Night")]


class TestDst:
    def test_berlin_spring_forward_night_is_seven_hours(self):
        rules = everyone(night_shift(breaks=()), zone="Europe/Berlin")
        sat = dt.date(2026, 3, 28)
        ps = punches("Europe/Berlin", sat, "22:00", "+06:00")
        row = one_day(rules, sat, ps)
        assert (row.status, row.worked_minutes, row.overtime_minutes, row.late_minutes,
                row.early_leave_minutes) == (S.PRESENT, 420, 0, 0, 0)
        assert row.first_in is not None and row.last_out is not None
        assert row.first_in.isoformat() == "2026-03-28T22:00:00+01:00"
        assert row.last_out.isoformat() == "2026-03-29T06:00:00+02:00"

    def test_berlin_fall_back_night_is_nine_hours(self):
        rules = everyone(night_shift(breaks=()), zone="Europe/Berlin")
        sat = dt.date(2026, 10, 24)
        row = one_day(rules, sat, punches("Europe/Berlin", sat, "22:00", "+05:30"))
        assert (row.status, row.worked_minutes, row.early_leave_minutes) == (
            S.EARLY_LEAVE, 510, 30)
        assert row.first_in is not None and row.last_out is not None
        assert row.first_in.isoformat() == "2026-10-24T22:00:00+02:00"
        assert row.last_out.isoformat() == "2026-10-25T05:30:00+01:00"

    def test_break_across_the_spring_change(self):
        """The 02:00-02:30 break does not exist on the wall clock that night: it lands at
        03:00-03:30 CEST, still half an hour of real time."""
        rules = everyone(night_shift(), zone="Europe/Berlin")
        sat = dt.date(2026, 3, 28)
        row = one_day(rules, sat, punches("Europe/Berlin", sat, "22:00", "+06:00"))
        assert row.worked_minutes == 390

    def test_shanghai_has_no_change(self):
        rules = everyone(night_shift(breaks=()))
        for sat in (dt.date(2026, 3, 28), dt.date(2026, 10, 24)):
            row = one_day(rules, sat, punches(SHANGHAI, sat, "22:00", "+06:00"))
            assert row.worked_minutes == 480
            assert row.last_out is not None and row.last_out.utcoffset() == \
                dt.timedelta(hours=8)

    def test_day_shift_on_the_change_day(self):
        """A Sunday 01:00-09:00 shift in Berlin on 2026-03-29 lasts 7 real hours."""
        sunday = dt.date(2026, 3, 29)
        shift = Shift("Sun", hm("01:00"), hm("09:00"), days=frozenset({6}))
        rules = everyone(shift, zone="Europe/Berlin")
        row = one_day(rules, sunday, punches("Europe/Berlin", sunday, "01:00", "09:00"))
        assert (row.status, row.worked_minutes) == (S.PRESENT, 420)


class TestEnrolmentAndRange:
    def test_no_rows_before_enrolment(self):
        enrolled_after_start = Person("E2", "Bo", enrolled_at=at(SHANGHAI, TUE, "10:00"))
        enrolled_before_start = Person("E3", "Cy", enrolled_at=at(SHANGHAI, TUE, "08:00"))
        rows = daily_sheet(everyone(day_shift()), [enrolled_after_start,
                                                   enrolled_before_start], [], MON,
                           TUE + dt.timedelta(1))
        assert [(r.date.day, r.person_id, r.status) for r in rows] == [
            (3, "E3", S.ABSENT), (4, "E2", S.ABSENT), (4, "E3", S.ABSENT)]

    def test_a_punch_on_the_enrolment_day_is_reported(self):
        person = Person("E2", "Bo", enrolled_at=at(SHANGHAI, MON, "10:00"))
        ps = punches(SHANGHAI, MON, "10:05", "18:00", person="E2")
        (row,) = daily_sheet(everyone(day_shift()), [person], ps, MON, MON)
        assert (row.status, row.late_minutes) == (S.LATE, 65)

    def test_no_rows_after_removal(self):
        person = Person("E2", "Bo", removed_at=at(SHANGHAI, TUE, "08:00"))
        rows = daily_sheet(everyone(day_shift()), [person], [], MON, TUE + dt.timedelta(1))
        assert [r.date for r in rows] == [MON]

    def test_now_leaves_out_days_not_begun(self):
        rows = daily_sheet(everyone(day_shift()), [ANN], punches(SHANGHAI, MON, "09:00"),
                           MON, TUE + dt.timedelta(1), now=at(SHANGHAI, MON, "10:00"))
        assert [(r.date, r.status) for r in rows] == [(MON, S.MISSING_PUNCH)]

    def test_order_and_unknown_people(self):
        bo = Person("E0", "Bo")
        ps = punches(SHANGHAI, MON, "09:00", "18:00", person="stranger")
        rows = daily_sheet(everyone(day_shift()), [ANN, bo], ps, MON, TUE)
        assert [(r.date, r.person_id) for r in rows] == [
            (MON, "E0"), (MON, "E1"), (TUE, "E0"), (TUE, "E1")]
        figures = list(daily_figures(everyone(day_shift()), [ANN, bo], ps, MON, TUE))
        assert [f.person_id for f in figures] == ["E1", "E1", "E0", "E0"]

    def test_person_days_picks_the_persons_own_punches(self):
        ps = punches(SHANGHAI, MON, "09:00", "18:00") + punches(
            SHANGHAI, MON, "09:30", "18:00", person="E2")
        (row,) = person_days(everyone(day_shift()), ANN, ps, MON, MON)
        assert (row.person_id, row.status, row.worked_minutes) == ("E1", S.PRESENT, 480)

    def test_punch_order_in_the_input_does_not_matter(self):
        ps = punches(SHANGHAI, MON, "09:00", "12:00", "13:00", "18:00", status=None)
        rules = everyone(day_shift(), mode=EACH)
        assert one_day(rules, MON, ps[::-1]) == one_day(rules, MON, ps)
