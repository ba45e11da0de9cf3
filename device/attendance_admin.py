"""Time-attendance rules and corrections at the door: commands that append them as events,
and the daily and monthly reports computed from the log's read models with
device/timekeeping (docs/attendance.md, "At the door").

Rules as they stood: every definition of a shift is kept (`shift_definitions`); a report
day uses, per shift name, the latest definition made by the end of that day in the site's
zone (a shift first defined after the day uses its first definition), so redefining a shift
later never changes the figures of a day that has already ended. Assignments carry their
own dates (`shifts assign` starts today unless given --from), so they change a past day
only when an admin dates them back on purpose.

Corrections never rewrite history: a missed punch is a PunchAdded event, a wrong punch a
PunchVoided event naming it by (origin, seq); the original punch stays in the log and in
the punch list, and the report marks the day `corrected`.

Reports read the punches of the period with one query (bound parameters), the corrections
with another, and hand them to device.timekeeping.
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import datetime as dt
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from device.errors import BadInput, NotFound
from device.event_payloads import PunchAdded, PunchVoided, ShiftAssigned, ShiftDefined
from device.events import PUNCH_EVENTS, EventType
from device.ids import check_id, check_name
from device.settings import load_settings
from device.storage.db import read_transaction
from device.storage.schema import (
    events,
    people,
    punch_corrections,
    punches,
    shift_assignments,
    shift_definitions,
)
from device.store import EventStore
from device.strictjson import JsonError, check_text
from device.timekeeping import (
    Assignment,
    DailyRow,
    DayFigures,
    MonthlySummary,
    Person,
    Punch,
    RuleError,
    Rules,
    ScheduleKind,
    Shift,
    daily_figures,
    parse_month,
    site_zone,
    summarise,
    wall_instant,
)

__all__ = ["DAILY_COLUMNS", "MONTHLY_COLUMNS", "AssignmentRecord", "ShiftRecord",
           "add_punch", "assign_shift", "daily_csv", "daily_report", "define_shift",
           "monthly_csv", "monthly_report", "parse_instant", "shift_records", "void_punch",
           "write_xlsx"]

#: The CSV columns of the daily sheet (issue 15's contract, in this order).
DAILY_COLUMNS = ("date", "person_id", "name", "shift", "first_in", "last_out",
                 "worked_minutes", "late_minutes", "early_leave_minutes", "overtime_minutes",
                 "status", "corrected")
#: The CSV columns of the monthly summary: device.timekeeping.MonthlySummary's fields.
MONTHLY_COLUMNS = tuple(f.name for f in dataclasses.fields(MonthlySummary))

MAX_REASON = 200
MAX_REPORT_DAYS = 400  # a report is for a day, a week, a month or a year, not for ever
_DAY = dt.timedelta(days=1)
BOM = "\ufeff"


# -- who and why --------------------------------------------------------------------------


def _reason(text: str | None) -> str:
    if text is None or not isinstance(text, str) or not text.strip():
        raise BadInput("give a reason (--reason TEXT)")
    try:
        check_text(text)
    except JsonError as e:
        raise BadInput(f"reason: {e}") from None
    clean = " ".join(text.split())
    if len(clean) > MAX_REASON:
        raise BadInput(f"reason: at most {MAX_REASON} characters")
    if any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in clean):
        raise BadInput("reason: no control characters")
    return clean


def _by(who: str) -> str:
    clean = " ".join(str(who).split())[:100]
    return clean or "unknown"


def parse_instant(text: str, zone_name: str) -> float:
    """Epoch seconds of an ISO date-time; without an offset it is the site's wall time."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise BadInput(f"time {text!r}: give an ISO date-time such as "
                       "2026-03-03T17:58 or 2026-03-03T17:58:00+08:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=site_zone(zone_name))
    return value.timestamp()


# -- the rules as events ------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftRecord:
    shift: Shift
    defined_at: float
    position: int
    by: str


@dataclass(frozen=True)
class AssignmentRecord:
    assignment: Assignment
    assigned_at: float
    position: int
    by: str


def _definitions(c: sa.Connection) -> list[ShiftRecord]:
    rows = c.execute(sa.select(shift_definitions).order_by(shift_definitions.c.position))
    out = []
    for r in rows:
        payload = json.loads(r.payload)
        event = ShiftDefined.of(payload)
        out.append(ShiftRecord(Shift.from_payload(event.shift_fields()), r.defined_at,
                               r.position, event.by))
    return out


def _assignments(c: sa.Connection) -> list[AssignmentRecord]:
    rows = c.execute(sa.select(shift_assignments).order_by(shift_assignments.c.position))
    out = []
    for r in rows:
        event = ShiftAssigned.of(json.loads(r.payload))
        out.append(AssignmentRecord(Assignment.from_payload(event.assignment_fields()),
                                    r.assigned_at, r.position, event.by))
    return out


def shift_records(engine: sa.Engine) -> tuple[list[ShiftRecord], list[AssignmentRecord]]:
    """The latest definition of every shift (by name) and every assignment, oldest first."""
    with read_transaction(engine) as c:
        definitions, assignments = _definitions(c), _assignments(c)
    latest: dict[str, ShiftRecord] = {}
    for d in definitions:
        latest[d.shift.name] = d
    return sorted(latest.values(), key=lambda d: d.shift.name), assignments


def define_shift(store: EventStore, shift: Shift, by: str) -> ShiftRecord:
    """Append a ShiftDefined (a new definition of a name replaces the old from today on)."""
    if not isinstance(shift, Shift):
        raise BadInput("define_shift: give a Shift")
    check_name(shift.name, "shift name")
    fields = shift.as_payload()
    event = ShiftDefined(**fields, by=_by(by))  # type: ignore[arg-type]  # as_payload's
    with store.transaction() as txn:
        recorded = txn.append([event.to_event()])[0]
    return ShiftRecord(shift, recorded.wall_time, recorded.position, event.by)


_ROSTER_EVENTS = (EventType.PERSON_ENROLLED.value, EventType.PERSON_REMOVED.value)


def _roster_all(c: sa.Connection) -> dict[str, Person]:
    """Everyone a report covers, by staff id: the people enrolled now (from their first
    enrolment on), and the people removed whose enrolment and removal the log still holds
    (`compact` drops those with the old records: retention ends their reports too)."""
    roster = {r.person_id: Person(r.person_id, r.name, (), r.created_at, None)
              for r in c.execute(sa.select(people.c.person_id, people.c.name,
                                           people.c.created_at))}
    gone: dict[str, Person] = {}
    for type_, payload, wall_time in c.execute(
            sa.select(events.c.type, events.c.payload, events.c.wall_time)
            .where(events.c.type.in_(_ROSTER_EVENTS)).order_by(events.c.position)):
        try:
            p = json.loads(payload)
            person_id = p["person_id"]
        except (ValueError, KeyError, TypeError):
            continue  # a quarantined event: never applied, so not here either
        if not isinstance(person_id, str) or person_id in roster:
            continue
        before = gone.get(person_id)
        if type_ == EventType.PERSON_ENROLLED.value:
            name = p.get("name")
            gone[person_id] = Person(person_id, name if isinstance(name, str) else person_id,
                                     (), before.enrolled_at if before else wall_time, None)
        elif before is not None:
            gone[person_id] = dataclasses.replace(before, removed_at=wall_time)
    roster.update({k: v for k, v in gone.items() if v.removed_at is not None})
    return dict(sorted(roster.items()))


def _roster(c: sa.Connection, person_id: str) -> Person | None:
    return _roster_all(c).get(person_id)


def assign_shift(store: EventStore, shifts: Sequence[str], by: str, *,
                 person_id: str | None = None, everyone: bool = False,
                 start: dt.date | None = None, end: dt.date | None = None,
                 kind: ScheduleKind = ScheduleKind.REGULAR) -> Assignment:
    """Append a ShiftAssigned after checking it against the shifts and every assignment:
    an unknown person or shift, or dates overlapping another assignment of the same kind
    for the same target, is refused (RuleError / NotFound, nothing written)."""
    if (person_id is None) == (not everyone):
        raise BadInput("assign a shift to one person (ID) or to everyone (--all)")
    if person_id is not None:
        person_id = check_id(person_id)
    assignment = Assignment(tuple(shifts), person_id=person_id, everyone=everyone,
                            start=start, end=end, kind=kind)
    with store.transaction() as txn:
        c = txn.connection
        if person_id is not None:
            row = _roster(c, person_id)
            if row is None or row.removed_at is not None:
                raise NotFound(f"no person with id {person_id!r}")
        definitions = _definitions(c)
        known = {d.shift.name: d.shift for d in definitions}
        for name in assignment.shifts:
            if name not in known:
                raise NotFound(f"no shift named {name!r} (shifts set {name} --start ... "
                               "--end ... defines one)")
        existing = [a.assignment for a in _assignments(c)]
        settings = load_settings(c)
        # Raises RuleError for an overlap with an assignment of the same kind and target.
        Rules(settings.timezone, tuple(known.values()), (*existing, assignment))
        txn.append([ShiftAssigned.of({**assignment.as_payload(), "by": _by(by)}).to_event()])
    return assignment


# -- corrections --------------------------------------------------------------------------


def add_punch(store: EventStore, person_id: str, at: float, status: str | None,
              reason: str, by: str, now: float) -> PunchAdded:
    """Append a PunchAdded: a missed punch. Refused: an unknown person, a time in the
    future or before the person was enrolled (or after their removal)."""
    person_id = check_id(person_id)
    if status not in (None, "in", "out"):
        raise BadInput(f"status {status!r}: use in or out")
    why = _reason(reason)
    with store.transaction() as txn:
        zone = site_zone(load_settings(txn.connection).timezone)
        if at > now:
            raise BadInput(f"a punch at {_show(at, zone)} is in the future (now "
                           f"{_show(now, zone)})")
        row = _roster(txn.connection, person_id)
        if row is None:
            raise NotFound(f"no person with id {person_id!r}")
        if row.enrolled_at is not None and at < row.enrolled_at:
            raise BadInput(f"{person_id} was enrolled at {_show(row.enrolled_at, zone)}: a "
                           f"punch at {_show(at, zone)} is before that")
        if row.removed_at is not None and at > row.removed_at:
            raise BadInput(f"{person_id} was removed at {_show(row.removed_at, zone)}: a "
                           f"punch at {_show(at, zone)} is after that")
        event = PunchAdded(person_id, row.name, float(at), status, why, _by(by))
        txn.append([event.to_event()])
    return event


def void_punch(store: EventStore, seq: int, reason: str, by: str,
               origin: str | None = None) -> PunchVoided:
    """Append a PunchVoided for the punch (PunchRecorded or PunchAdded) with this sequence
    number from `origin` (default: this door). Refused: no such punch, or voided already."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise BadInput(f"seq {seq!r}: give a punch's sequence number (punches lists them)")
    why = _reason(reason)
    origin = origin or store.device_id
    with store.transaction() as txn:
        c = txn.connection
        row = c.execute(sa.select(events.c.type, events.c.payload).where(
            events.c.origin == origin, events.c.seq == seq)).first()
        if row is None or row.type not in PUNCH_EVENTS:
            what = "no event" if row is None else f"a {row.type} event, not a punch"
            raise BadInput(f"seq {seq} of {origin}: {what}")
        done = c.execute(sa.select(punch_corrections.c.position).where(
            punch_corrections.c.kind == "voided", punch_corrections.c.target_origin == origin,
            punch_corrections.c.target_seq == seq)).first()
        if done is not None:
            raise BadInput(f"seq {seq} of {origin}: voided already")
        person_id = json.loads(row.payload)["person_id"]
        event = PunchVoided(origin, seq, person_id, why, _by(by))
        txn.append([event.to_event()])
    return event


def _show(instant: float, zone: dt.tzinfo) -> str:
    return dt.datetime.fromtimestamp(instant, zone).isoformat(timespec="seconds")


# -- reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    zone_name: str
    people: list[Person]
    punches: list[Punch]
    definitions: list[ShiftRecord]
    assignments: list[Assignment]


def _check_range(first: dt.date, last: dt.date) -> None:
    if last < first:
        raise RuleError(f"report range: ends {last.isoformat()}, before it starts "
                        f"{first.isoformat()}")
    if (last - first).days >= MAX_REPORT_DAYS:
        raise RuleError(f"report range: at most {MAX_REPORT_DAYS} days")


def _load(engine: sa.Engine, device_id: str, first: dt.date, last: dt.date) -> _Inputs:
    """Everything a report of first..last reads, in one read transaction."""
    with read_transaction(engine) as c:
        settings = load_settings(c)
        zone = site_zone(settings.timezone)
        # A work day may begin before its date's midnight or end after it (day boundary,
        # night shifts): two days either side is more than any rule reaches.
        low = wall_instant(zone, first - 2 * _DAY, dt.time(0))
        high = wall_instant(zone, last + 3 * _DAY, dt.time(0))
        voided = {(r.target_origin, r.target_seq) for r in c.execute(
            sa.select(punch_corrections.c.target_origin, punch_corrections.c.target_seq)
            .where(punch_corrections.c.kind == "voided"))}
        door_name = settings.device_name
        names = {device_id: door_name}
        found: list[Punch] = []
        rows = c.execute(sa.select(punches.c.person_id, punches.c.time, punches.c.origin,
                                   punches.c.status, punches.c.seq)
                         .where(punches.c.time >= low, punches.c.time < high)).all()
        for person_id, at, origin, status, seq in rows:
            found.append(Punch(person_id, at, origin, names.get(origin), status, False,
                               (origin, seq) in voided, seq))
        for r in c.execute(sa.select(punch_corrections).where(
                punch_corrections.c.kind == "added", punch_corrections.c.time >= low,
                punch_corrections.c.time < high)):
            found.append(Punch(r.person_id, r.time, r.origin, names.get(r.origin), r.status,
                               True, (r.origin, r.seq) in voided, r.seq))
        persons = list(_roster_all(c).values())
        definitions = _definitions(c)
        assignments = [a.assignment for a in _assignments(c)]
    return _Inputs(settings.timezone, persons, found, definitions, assignments)


def _segments(inputs: _Inputs, first: dt.date, last: dt.date
              ) -> list[tuple[dt.date, dt.date, Rules]]:
    """Consecutive days with the same shift definitions in force, each with its Rules."""
    zone = site_zone(inputs.zone_name)
    by_name: dict[str, list[ShiftRecord]] = {}
    for d in inputs.definitions:
        by_name.setdefault(d.shift.name, []).append(d)
    times = {name: [d.defined_at for d in items] for name, items in by_name.items()}
    known = set(by_name)
    assignments = tuple(a for a in inputs.assignments if set(a.shifts) <= known)
    segments: list[tuple[dt.date, dt.date, tuple[int, ...]]] = []
    day = first
    while day <= last:
        cutoff = wall_instant(zone, day + _DAY, dt.time(0))
        key = tuple(max(bisect.bisect_right(times[name], cutoff) - 1, 0)
                    for name in sorted(by_name))
        if segments and segments[-1][2] == key:
            segments[-1] = (segments[-1][0], day, key)
        else:
            segments.append((day, day, key))
        day += _DAY
    built: dict[tuple[int, ...], Rules] = {}
    out = []
    for begin, end, key in segments:
        if key not in built:
            shifts = tuple(by_name[name][i].shift for name, i in zip(sorted(by_name), key,
                                                                      strict=True))
            built[key] = Rules(inputs.zone_name, shifts, assignments)
        out.append((begin, end, built[key]))
    return out


def _figures(inputs: _Inputs, first: dt.date, last: dt.date,
             now: float | None) -> list[DayFigures]:
    out: list[DayFigures] = []
    for begin, end, rules in _segments(inputs, first, last):
        out.extend(daily_figures(rules, inputs.people, inputs.punches, begin, end, now=now))
    return out


def daily_report(engine: sa.Engine, device_id: str, first: dt.date, last: dt.date,
                 now: float | None = None) -> list[DailyRow]:
    """The daily sheet for first..last (inclusive), ordered by date then staff id."""
    _check_range(first, last)
    inputs = _load(engine, device_id, first, last)
    zone = site_zone(inputs.zone_name)
    rows = [DailyRow.of(f, zone) for f in _figures(inputs, first, last, now)]
    rows.sort(key=lambda r: (r.date, r.person_id))
    return rows


def monthly_report(engine: sa.Engine, device_id: str, month: str,
                   now: float | None = None) -> list[MonthlySummary]:
    """The monthly summary per person for YYYY-MM, by staff id."""
    chosen = parse_month(month)
    inputs = _load(engine, device_id, chosen.first_day, chosen.last_day)
    return summarise(_figures(inputs, chosen.first_day, chosen.last_day, now), chosen)


# -- output -------------------------------------------------------------------------------


def _time(value: dt.datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def daily_values(row: DailyRow) -> list[Any]:
    """One daily row in DAILY_COLUMNS order (times ISO 8601 with offset, "" if missing)."""
    return [row.date.isoformat(), row.person_id, row.name, row.shift or "",
            _time(row.first_in), _time(row.last_out), row.worked_minutes, row.late_minutes,
            row.early_leave_minutes, row.overtime_minutes, row.status.value,
            "yes" if row.corrected else "no"]


def daily_record(row: DailyRow) -> dict[str, Any]:
    """One daily row as JSON (times ISO with offset or null, corrected a boolean)."""
    record = dict(zip(DAILY_COLUMNS, daily_values(row), strict=True))
    record["first_in"] = _time(row.first_in) or None
    record["last_out"] = _time(row.last_out) or None
    record["shift"] = row.shift
    record["corrected"] = row.corrected
    record["in_door"], record["out_door"] = row.in_door, row.out_door
    return record


def monthly_values(row: MonthlySummary) -> list[Any]:
    return [getattr(row, name) for name in MONTHLY_COLUMNS]


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """UTF-8 text with a BOM (Excel then shows Chinese names), CRLF line ends."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def daily_csv(rows: Iterable[DailyRow]) -> str:
    return _csv(DAILY_COLUMNS, (daily_values(r) for r in rows))


def monthly_csv(rows: Iterable[MonthlySummary]) -> str:
    return _csv(MONTHLY_COLUMNS, (monthly_values(r) for r in rows))


def check_xlsx_path(path: str | Path) -> Path:
    """The path an XLSX report may be written to, or BadInput (before anything is computed)."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise BadInput(f"{target}: an XLSX report's file name ends in .xlsx")
    if not target.parent.is_dir():
        raise BadInput(f"{target}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise BadInput(f"{target}: is a folder")
    return target


def write_xlsx(path: str | Path,
               sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> Path:
    """One sheet per report (title, header, rows): a bold header row, frozen below it,
    columns sized to their text. Written to a temporary file and renamed: a failure leaves
    nothing half-written."""
    # openpyxl ships no types (types-openpyxl is not a dependency): its two names, untyped.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    target = check_xlsx_path(path)
    book = Workbook()
    first = True
    for title, header, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = title
        sheet.append(list(header))
        widths = [len(h) for h in header]
        for row in rows:
            values = list(row)
            sheet.append(values)
            for i, v in enumerate(values):
                widths[i] = max(widths[i], len(str(v)))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for i, width in enumerate(widths):
            sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width = min(width + 2,
                                                                                    60)
    fd, temp = tempfile.mkstemp(prefix=".report-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        book.save(temp)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
