"""Who works which shift on a day: precedence, dates, overlaps."""

from __future__ import annotations

import datetime as dt

import pytest

from device.timekeeping import Assignment, RuleError, Rules, ScheduleKind, Shift
from tests.timekeeping.support import SHANGHAI, day_shift, hm, night_shift

T = ScheduleKind.TEMPORARY
D = dt.date


def shifts() -> tuple[Shift, ...]:
    return (day_shift(), night_shift(), Shift("Early", hm("07:00"), hm("16:00")))


def on(rules: Rules, day: dt.date, person: str = "E1", groups: tuple[str, ...] = ()) -> (
        tuple[str, ...]):
    return tuple(s.name for s in rules.schedule.shifts_on(person, groups, day))


def test_precedence():
    rules = Rules(SHANGHAI, shifts(), (
        Assignment(("Day",), everyone=True),
        Assignment(("Night",), group_id="guards"),
        Assignment(("Early",), person_id="E1"),
        Assignment(("Night",), person_id="E2", start=D(2026, 3, 10), end=D(2026, 3, 12),
                   kind=T),
        Assignment(("Early",), everyone=True, start=D(2026, 3, 20), end=D(2026, 3, 20),
                   kind=T),
    ))
    day = D(2026, 3, 11)
    assert on(rules, day, "E9") == ("Day",)  # everyone
    assert on(rules, day, "E9", ("guards",)) == ("Night",)  # group beats everyone
    assert on(rules, day, "E1", ("guards",)) == ("Early",)  # person beats group
    assert on(rules, day, "E2") == ("Night",)  # temporary
    assert on(rules, D(2026, 3, 9), "E2") == ("Day",)  # before it
    assert on(rules, D(2026, 3, 12), "E2") == ("Night",)  # `to` is inclusive
    assert on(rules, D(2026, 3, 13), "E2") == ("Day",)
    # a temporary schedule for everyone beats a person's regular one
    assert on(rules, D(2026, 3, 20), "E1") == ("Early",)
    assert on(rules, D(2026, 3, 20), "E9", ("guards",)) == ("Early",)


def test_dated_assignments_leave_gaps_without_a_shift():
    rules = Rules(SHANGHAI, shifts(), (
        Assignment(("Day",), person_id="E1", start=D(2026, 3, 1), end=D(2026, 3, 9)),
        Assignment(("Night",), person_id="E1", start=D(2026, 3, 11))))
    assert [on(rules, D(2026, 3, d)) for d in (1, 9, 10, 11, 31)] == [
        ("Day",), ("Day",), (), ("Night",), ("Night",)]
    assert on(rules, D(2026, 2, 28)) == ()


def test_adjacent_assignments_are_fine_and_kinds_may_overlap():
    Rules(SHANGHAI, shifts(), (
        Assignment(("Day",), person_id="E1", end=D(2026, 3, 9)),
        Assignment(("Night",), person_id="E1", start=D(2026, 3, 10)),
        Assignment(("Early",), person_id="E1", start=D(2026, 3, 5), end=D(2026, 3, 15),
                   kind=T),
        Assignment(("Early",), person_id="E2", end=D(2026, 3, 15)),
    ))


@pytest.mark.parametrize("pair", [
    ((None, D(2026, 3, 10)), (D(2026, 3, 10), None)),  # share the 10th
    ((None, None), (D(2026, 3, 10), D(2026, 3, 11))),
    ((D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 3, 5), D(2026, 3, 6))),
    ((D(2026, 3, 5), None), (None, None)),
])
def test_overlapping_assignments_of_one_kind_are_refused(pair):
    (a_from, a_to), (b_from, b_to) = pair
    with pytest.raises(RuleError, match=r"^overlapping regular assignments of person E1: "):
        Rules(SHANGHAI, shifts(), (
            Assignment(("Day",), person_id="E1", start=a_from, end=a_to),
            Assignment(("Night",), person_id="E1", start=b_from, end=b_to)))


def test_overlapping_group_and_everyone_assignments_are_refused():
    with pytest.raises(RuleError, match="temporary assignments of group ops"):
        Rules(SHANGHAI, shifts(), (
            Assignment(("Day",), group_id="ops", kind=T),
            Assignment(("Night",), group_id="ops", kind=T, start=D(2026, 1, 1))))
    with pytest.raises(RuleError, match="assignments of everyone"):
        Rules(SHANGHAI, shifts(), (Assignment(("Day",), everyone=True),
                                   Assignment(("Night",), everyone=True)))


def test_two_groups_assigning_different_shifts_is_an_error_for_their_member():
    rules = Rules(SHANGHAI, shifts(), (Assignment(("Day",), group_id="a"),
                                       Assignment(("Night",), group_id="b"),
                                       Assignment(("Day",), group_id="c")))
    assert on(rules, D(2026, 3, 2), "E1", ("a", "c")) == ("Day",)  # the same shift: fine
    with pytest.raises(RuleError, match=r"person E1: groups a and b both assign a regular "
                                        r"shift on 2026-03-02"):
        on(rules, D(2026, 3, 2), "E1", ("a", "b"))


def test_several_shifts_in_one_assignment_keep_their_order():
    rules = Rules(SHANGHAI, shifts(), (Assignment(("Night", "Day", "Night"), everyone=True),))
    assert on(rules, D(2026, 3, 2)) == ("Night", "Day")


def test_payload_round_trip():
    a = Assignment(("Day", "Early"), group_id="ops", start=D(2026, 3, 1), kind=T)
    assert a.as_payload() == {"shifts": ["Day", "Early"], "person_id": None,
                              "group_id": "ops", "everyone": False, "from": "2026-03-01",
                              "to": None, "kind": "temporary"}
    assert Assignment.from_payload(a.as_payload()) == a
    assert Assignment.from_payload({"shifts": ["Day"], "everyone": True}) == Assignment(
        ("Day",), everyone=True)
