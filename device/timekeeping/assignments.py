"""Which shift(s) a person works on a day: assignments to a person, a group or everyone,
from a date to a date, regular or temporary.

Precedence on a given day:
1. a temporary schedule beats a regular one (whatever it is assigned to);
2. within a kind, the most specific target wins: the person, then their groups, then
   everyone;
3. two assignments of the same kind to the same target whose dates overlap are an error
   (RuleError when the rules are built); a person in two groups whose assignments of the
   same kind both apply on a day, with different shifts, is an error too (raised when that
   day is computed: it depends on who is in which group).

An assignment may name several shifts (a morning and an afternoon timetable): on the day,
the one whose start is nearest the person's first punch applies (device/timekeeping/daily.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from device.errors import BadInput
from device.ids import check_id
from device.timekeeping.calendar import parse_date
from device.timekeeping.errors import RuleError
from device.timekeeping.shifts import Shift

__all__ = ["Assignment", "Schedule", "ScheduleKind"]


class ScheduleKind(StrEnum):
    REGULAR = "regular"
    TEMPORARY = "temporary"


def _day_text(day: dt.date | None) -> str:
    return "open" if day is None else day.isoformat()


@dataclass(frozen=True)
class Assignment:
    """`shifts` (names) assigned to one target from `start` to `end`, both inclusive
    (None: without limit). The target is exactly one of person_id, group_id, everyone."""

    shifts: tuple[str, ...]
    person_id: str | None = None
    group_id: str | None = None
    everyone: bool = False
    start: dt.date | None = None
    end: dt.date | None = None
    kind: ScheduleKind = ScheduleKind.REGULAR

    def __post_init__(self) -> None:
        names: object = self.shifts
        if isinstance(names, str):
            names = (names,)
        if (not isinstance(names, tuple | list) or not names
                or not all(isinstance(n, str) and n.strip() for n in names)):
            raise RuleError("assignment: name at least one shift")
        object.__setattr__(self, "shifts", tuple(dict.fromkeys(n.strip() for n in names)))
        targets = [self.person_id is not None, self.group_id is not None, self.everyone is True]
        if sum(targets) != 1 or not isinstance(self.everyone, bool):
            raise RuleError("assignment: give exactly one of a person, a group or everyone")
        try:
            if self.person_id is not None:
                object.__setattr__(self, "person_id", check_id(self.person_id))
            if self.group_id is not None:
                object.__setattr__(self, "group_id", check_id(self.group_id, "group id"))
        except BadInput as e:
            raise RuleError(f"assignment: {e}") from e
        for what, day in (("from", self.start), ("to", self.end)):
            if day is not None and (not isinstance(day, dt.date)
                                    or isinstance(day, dt.datetime)):
                raise RuleError(f"assignment of {self.target}: its {what} date must be a date")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise RuleError(f"assignment of {self.target}: ends {self.end.isoformat()}, "
                            f"before it starts {self.start.isoformat()}")
        try:
            object.__setattr__(self, "kind", ScheduleKind(self.kind))
        except ValueError:
            raise RuleError(f"assignment of {self.target}: kind {self.kind!r} is neither "
                            "regular nor temporary") from None

    @property
    def target(self) -> str:
        if self.person_id is not None:
            return f"person {self.person_id}"
        if self.group_id is not None:
            return f"group {self.group_id}"
        return "everyone"

    @property
    def target_key(self) -> tuple[str, str]:
        if self.person_id is not None:
            return ("person", self.person_id)
        if self.group_id is not None:
            return ("group", self.group_id)
        return ("everyone", "")

    def covers(self, day: dt.date) -> bool:
        return ((self.start is None or self.start <= day)
                and (self.end is None or day <= self.end))

    def describe(self) -> str:
        return (f"{self.kind.value} {'/'.join(self.shifts)} "
                f"{_day_text(self.start)}..{_day_text(self.end)}")

    def as_payload(self) -> dict[str, object]:
        return {"shifts": list(self.shifts), "person_id": self.person_id,
                "group_id": self.group_id, "everyone": self.everyone,
                "from": None if self.start is None else self.start.isoformat(),
                "to": None if self.end is None else self.end.isoformat(),
                "kind": self.kind.value}

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> Assignment:
        def day(key: str) -> dt.date | None:
            value = payload.get(key)
            return None if value is None else parse_date(str(value), f"assignment {key}")

        shifts = payload.get("shifts")
        if isinstance(shifts, list):
            shifts = tuple(shifts)
        return cls(cast(tuple[str, ...], shifts), cast(str | None, payload.get("person_id")),
                   cast(str | None, payload.get("group_id")),
                   cast(bool, payload.get("everyone", False)), day("from"), day("to"),
                   cast(ScheduleKind, payload.get("kind", ScheduleKind.REGULAR.value)))


class Schedule:
    """The assignments, checked against the shifts, indexed for lookups by day."""

    def __init__(self, assignments: Iterable[Assignment], shifts: Mapping[str, Shift]) -> None:
        self._by_target: dict[tuple[ScheduleKind, str, str], list[Assignment]] = {}
        self.assignments = tuple(assignments)
        for a in self.assignments:
            if not isinstance(a, Assignment):
                raise RuleError("assignments must be Assignment records")
            for name in a.shifts:
                if name not in shifts:
                    raise RuleError(f"assignment of {a.target}: unknown shift {name!r}")
            self._by_target.setdefault((a.kind, *a.target_key), []).append(a)
        for (kind, _, _), items in self._by_target.items():
            items.sort(key=lambda a: a.start or dt.date.min)
            for before, after in itertools.pairwise(items):
                if before.end is None or after.start is None or before.end >= after.start:
                    raise RuleError(
                        f"overlapping {kind.value} assignments of {after.target}: "
                        f"{before.describe()} and {after.describe()}")
        self._shifts = shifts
        #: Whether anyone has an assignment of their own (else people differ only by group).
        self.personal = frozenset(a.person_id for a in self.assignments
                                  if a.person_id is not None)

    def _one(self, kind: ScheduleKind, target: str, value: str,
             day: dt.date) -> Assignment | None:
        for a in self._by_target.get((kind, target, value), ()):
            if a.covers(day):
                return a
        return None

    def assignment_on(self, person_id: str, groups: Sequence[str],
                      day: dt.date) -> Assignment | None:
        """The assignment that applies to the person on `day` (None: no shift that day)."""
        for kind in (ScheduleKind.TEMPORARY, ScheduleKind.REGULAR):
            mine = self._one(kind, "person", person_id, day)
            if mine is not None:
                return mine
            found = [a for a in (self._one(kind, "group", g, day) for g in groups)
                     if a is not None]
            if found:
                if any(a.shifts != found[0].shifts for a in found[1:]):
                    raise RuleError(
                        f"person {person_id}: groups {found[0].group_id} and "
                        f"{next(a.group_id for a in found if a.shifts != found[0].shifts)} "
                        f"both assign a {kind.value} shift on {day.isoformat()}")
                return found[0]
            everyone = self._one(kind, "everyone", "", day)
            if everyone is not None:
                return everyone
        return None

    def shifts_on(self, person_id: str, groups: Sequence[str],
                  day: dt.date) -> tuple[Shift, ...]:
        """The shifts the person may work on `day`, in the order assigned (none: no shift)."""
        chosen = self.assignment_on(person_id, groups, day)
        return () if chosen is None else tuple(self._shifts[n] for n in chosen.shifts)
