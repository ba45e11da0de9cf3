"""Attendance at the door (issue 15): rules and corrections as events, `report daily` and
`report monthly` through real `python -m device` processes on real SQLite files, and seed
001's get_attend_infos giving the same daily figures over HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from device.database import open_database
from device.eventlog.model import NewEvent
from device.events import EventType
from device.store import EventStore
from tests.support.paths import REPO

ZONE = ZoneInfo("Asia/Shanghai")
HEADER = ("date,person_id,name,shift,first_in,last_out,worked_minutes,late_minutes,"
          "early_leave_minutes,overtime_minutes,status,corrected")
ENROLLED = dt.datetime(2026, 2, 1, tzinfo=ZONE).timestamp()


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "device", "--db", str(db), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def ok(db: Path, *args: str) -> str:
    done = run(db, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def at(day: int, hh: int, mm: int) -> float:
    return dt.datetime(2026, 3, day, hh, mm, tzinfo=ZONE).timestamp()


def punch(person_id: str, name: str, when: float, status: str) -> NewEvent:
    return NewEvent(EventType.PUNCH_RECORDED, {"person_id": person_id, "name": name,
                                               "status": status, "time": when})


def seed(db: Path, device_id: str | None = "door-att") -> None:
    """艾超 (E001) and Bob (E002) enrolled on 1 February; the worked example's punches."""
    database = open_database(db, device_id)
    try:
        store = EventStore(database)
        store.append([NewEvent(EventType.PERSON_ENROLLED, {"person_id": "E001", "name": "艾超"}),
                      NewEvent(EventType.PERSON_ENROLLED, {"person_id": "E002", "name": "Bob"})],
                     now=ENROLLED)
        store.append([
            punch("E001", "艾超", at(2, 9, 7), "in"), punch("E001", "艾超", at(2, 18, 40), "out"),
            punch("E001", "艾超", at(3, 8, 55), "in"),  # seq 5: no out (forgot)
            punch("E001", "艾超", at(4, 9, 0), "in"),  # seq 6: someone else, to be voided
            punch("E002", "Bob", at(2, 8, 50), "in"), punch("E002", "Bob", at(2, 18, 5), "out"),
        ], now=ENROLLED + 40 * 86400)
    finally:
        database.close()


def events(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as c:
        return list(c.execute("SELECT type, payload FROM events ORDER BY position"))


def daily(db: Path, first: str, last: str) -> list[dict[str, str]]:
    text = ok(db, "report", "daily", "--from", first, "--to", last, "--csv")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def door(tmp_path: Path) -> Path:
    db = tmp_path / "door.sqlite"
    seed(db)
    ok(db, "shifts", "set", "Day", "--start", "09:00", "--end", "18:00",
       "--late-grace-minutes", "5", "--early-grace-minutes", "5", "--break", "12:00-13:00",
       "--days", "mon-fri")
    ok(db, "shifts", "assign", "--all", "Day", "--from", "2026-03-01")
    return db


def test_shift_set_assign_list_round_trip(door: Path) -> None:
    ok(door, "shifts", "set", "Night", "--start", "22:00", "--end", "06:00", "--overnight",
       "--days", "mon,wed")
    ok(door, "shifts", "assign", "E002", "Night", "--from", "2026-04-01", "--to",
       "2026-04-30")
    listed = json.loads(ok(door, "shifts", "list", "--json"))
    shifts = {s["name"]: s for s in listed["shifts"]}
    assert shifts["Day"] | {"by": "", "defined_at": ""} == {
        "name": "Day", "start": "09:00", "end": "18:00", "overnight": False,
        "late_grace_minutes": 5, "early_grace_minutes": 5, "breaks": ["12:00-13:00"],
        "days": "mon-fri", "by": "", "defined_at": ""}
    assert shifts["Night"]["overnight"] is True and shifts["Night"]["days"] == "mon,wed"
    assert shifts["Day"]["by"].startswith("cli")
    assignments = [(a["everyone"], a["person_id"], a["shifts"], a["from"], a["to"])
                   for a in listed["assignments"]]
    assert assignments == [(True, None, ["Day"], "2026-03-01", None),
                           (False, "E002", ["Night"], "2026-04-01", "2026-04-30")]
    text = ok(door, "shifts", "list")
    assert "Day 09:00-18:00" in text and "person E002" in text
    # a default --from is today in the site's zone: the past is left as it was
    ok(door, "shifts", "assign", "E001", "Night", "--temporary")
    last = json.loads(ok(door, "shifts", "list", "--json"))["assignments"][-1]
    today = dt.datetime.now(ZONE).date().isoformat()
    assert (last["from"], last["to"], last["kind"]) == (today, None, "temporary")


def test_daily_csv_header_bom_and_offsets(door: Path) -> None:
    text = ok(door, "report", "daily", "--from", "2026-03-02", "--to", "2026-03-02", "--csv")
    assert text.startswith("\ufeff" + HEADER + "\n")  # text mode reads CRLF as \n
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    e001 = rows[0]
    assert e001 == {"date": "2026-03-02", "person_id": "E001", "name": "艾超", "shift": "Day",
                    "first_in": "2026-03-02T09:07:00+08:00",
                    "last_out": "2026-03-02T18:40:00+08:00", "worked_minutes": "513",
                    "late_minutes": "7", "early_leave_minutes": "0",
                    "overtime_minutes": "40", "status": "late", "corrected": "no"}
    assert rows[1]["person_id"] == "E002" and rows[1]["status"] == "present"
    raw = subprocess.run([sys.executable, "-m", "device", "--db", str(door), "report",
                          "daily", "--from", "2026-03-02", "--to", "2026-03-02", "--csv"],
                         capture_output=True, cwd=REPO, timeout=120).stdout
    assert raw.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    assert "艾超".encode() in raw
    table = ok(door, "report", "daily", "--from", "2026-03-02", "--to", "2026-03-03")
    assert "艾超" in table and "09:07" in table and "missing_punch" in table


def test_a_missed_punch_is_added_and_the_day_shows_corrected(door: Path) -> None:
    before = daily(door, "2026-03-03", "2026-03-03")[0]
    assert (before["status"], before["corrected"]) == ("missing_punch", "no")
    ok(door, "punches", "add", "--id", "E001", "--time", "2026-03-03T17:58", "--status", "out",
       "--reason", "forgot to punch out")
    after = daily(door, "2026-03-03", "2026-03-03")[0]
    assert after | {"name": ""} == {
        "date": "2026-03-03", "person_id": "E001", "name": "", "shift": "Day",
        "first_in": "2026-03-03T08:55:00+08:00", "last_out": "2026-03-03T17:58:00+08:00",
        "worked_minutes": "483", "late_minutes": "0", "early_leave_minutes": "0",
        "overtime_minutes": "0", "status": "present", "corrected": "yes"}
    log = events(door)
    added = [json.loads(p) for t, p in log if t == "PunchAdded"]
    assert added == [{"by": added[0]["by"], "name": "艾超", "person_id": "E001",
                      "reason": "forgot to punch out", "status": "out",
                      "time": at(3, 17, 58)}]
    originals = [json.loads(p) for t, p in log if t == "PunchRecorded"]
    assert len(originals) == 6  # nothing rewritten
    # the punch listing is the recorded punches, as before
    listed = ok(door, "punches", "--from", "2026-03-03", "--to", "2026-03-04", "--csv")
    assert len(listed.splitlines()) == 2


def test_a_voided_punch_is_ignored_and_marked_and_stays_in_the_log(door: Path) -> None:
    assert daily(door, "2026-03-04", "2026-03-04")[0]["status"] == "missing_punch"
    with sqlite3.connect(door) as c:
        seq, = c.execute("SELECT seq FROM punches WHERE time = ?", (at(4, 9, 0),)).fetchone()
    out = ok(door, "punches", "void", "--seq", str(seq), "--reason", "someone else")
    assert "voided" in out
    row = daily(door, "2026-03-04", "2026-03-04")[0]
    assert (row["status"], row["first_in"], row["corrected"]) == ("absent", "", "yes")
    voided = [json.loads(p) for t, p in events(door) if t == "PunchVoided"]
    assert voided[0]["seq"] == seq and voided[0]["origin"] == "door-att"
    assert voided[0]["person_id"] == "E001" and voided[0]["reason"] == "someone else"
    with sqlite3.connect(door) as c:
        assert c.execute("SELECT count(*) FROM punches WHERE seq = ?", (seq,)).fetchone() == (1,)
    # an added punch can be voided too
    ok(door, "punches", "add", "--id", "E002", "--time", "2026-03-04T09:00:00+08:00",
       "--reason", "test")
    added_seq = max(s for s, in sqlite3.connect(door).execute("SELECT seq FROM events"))
    ok(door, "punches", "void", "--seq", str(added_seq), "--reason", "wrong person")
    bob = daily(door, "2026-03-04", "2026-03-04")[1]
    assert (bob["status"], bob["corrected"]) == ("absent", "yes")


def test_monthly_csv(door: Path) -> None:
    ok(door, "punches", "add", "--id", "E001", "--time", "2026-03-03T17:58", "--reason", "forgot")
    text = ok(door, "report", "monthly", "--month", "2026-03", "--csv")
    assert text.startswith("\ufeffmonth,person_id,name,scheduled_days,days_worked,late_count,"
                           "late_minutes,early_leave_count,early_leave_minutes,absent_days,"
                           "missing_punches,worked_minutes,overtime_minutes,worked_hours,"
                           "overtime_hours,corrected_days\n")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    e001 = rows[0]
    assert (e001["person_id"], e001["name"], e001["scheduled_days"], e001["days_worked"],
            e001["late_count"], e001["late_minutes"], e001["worked_minutes"],
            e001["missing_punches"], e001["corrected_days"]) == (
        "E001", "艾超", "22", "2", "1", "7", str(513 + 483), "1", "1")
    assert rows[1]["person_id"] == "E002" and rows[1]["absent_days"] == "21"
    assert "scheduled 22" in ok(door, "report", "monthly", "--month", "2026-03")


def test_xlsx_reports_open_in_openpyxl(door: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs installed

    target = tmp_path / "daily.xlsx"
    ok(door, "report", "daily", "--from", "2026-03-02", "--to", "2026-03-06", "--xlsx",
       str(target))
    book = load_workbook(target)
    sheet = book["Daily"]
    assert [c.value for c in sheet[1]] == HEADER.split(",")
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(2, 3).value == "艾超" and sheet.cell(2, 5).value.endswith("+08:00")
    assert sheet.max_row == 1 + 2 * 5
    monthly = tmp_path / "monthly.xlsx"
    ok(door, "report", "monthly", "--month", "2026-03", "--xlsx", str(monthly))
    book = load_workbook(monthly)
    assert book.sheetnames == ["Monthly", "Daily"]
    assert book["Monthly"].freeze_panes == "A2" and book["Monthly"].cell(1, 1).value == "month"
    assert book["Monthly"].cell(2, 2).value == "E001"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx") == [
        "daily.xlsx", "monthly.xlsx"]  # no temporary file left behind


def test_reports_of_an_earlier_period_are_unchanged_by_a_later_shift_change(door: Path) -> None:
    march = daily(door, "2026-03-02", "2026-03-06")
    month = ok(door, "report", "monthly", "--month", "2026-03", "--csv")
    ok(door, "shifts", "set", "Day", "--start", "10:00", "--end", "19:00")  # from today on
    assert daily(door, "2026-03-02", "2026-03-06") == march
    assert ok(door, "report", "monthly", "--month", "2026-03", "--csv") == month
    shifts = json.loads(ok(door, "shifts", "list", "--json"))["shifts"]
    assert [(s["name"], s["start"]) for s in shifts] == [("Day", "10:00")]


@pytest.mark.parametrize(("args", "says"), [
    (("shifts", "set", "Night", "--start", "22:00", "--end", "06:00"), "overnight"),
    (("shifts", "set", "Day2", "--start", "09:00", "--end", "9:00"), "end"),
    (("shifts", "assign", "--all", "Day", "--from", "2026-03-10"), "overlapping"),
    (("shifts", "assign", "E009", "Day", "--from", "2026-03-01"), "E009"),
    (("shifts", "assign", "E001", "Nope", "--from", "2026-03-01"), "Nope"),
    (("shifts", "assign", "E001", "Day", "--from", "2026-02-30"), "--from"),
    (("punches", "add", "--id", "E001", "--time", "2099-01-01T09:00", "--reason", "x"),
     "future"),
    (("punches", "add", "--id", "E001", "--time", "2026-01-05T09:00", "--reason", "x"),
     "enrolled"),
    (("punches", "add", "--id", "E009", "--time", "2026-03-05T09:00", "--reason", "x"),
     "E009"),
    (("punches", "add", "--id", "E001", "--time", "yesterday", "--reason", "x"), "ISO"),
    (("punches", "add", "--id", "E001", "--time", "2026-03-05T09:00", "--reason", " "),
     "reason"),
    (("punches", "void", "--seq", "1", "--reason", "x"), "not a punch"),
    (("punches", "void", "--seq", "999", "--reason", "x"), "no event"),
    (("report", "monthly", "--month", "2026-13"), "13"),
    (("report", "daily", "--from", "2026-03-05", "--to", "2026-03-01"), "before"),
    (("settings", "timezone=Mars/Olympus_Mons"), "does not exist"),
    (("settings", "timezone=Europe"), "does not exist"),
    (("report", "daily", "--from", "2026-03-01", "--to", "2026-03-02", "--xlsx",
      "/no/such/folder/r.xlsx"), "does not exist"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(door: Path, args: tuple[str, ...],
                                                         says: str) -> None:
    before = events(door)
    done = run(door, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert done.stdout == ""
    assert events(door) == before
    assert not Path("/no/such/folder").exists()


def test_voiding_twice_is_refused(door: Path) -> None:
    ok(door, "punches", "void", "--seq", "5", "--reason", "x")
    done = run(door, "punches", "void", "--seq", "5", "--reason", "x")
    assert done.returncode == 2 and "already" in done.stderr


def test_the_time_zone_setting_changes_the_offsets(door: Path) -> None:
    ok(door, "settings", "timezone=Europe/Berlin")
    row = daily(door, "2026-03-02", "2026-03-02")[0]
    # 09:07 in Shanghai is 02:07 in Berlin, before the 04:00 day boundary: the day before's;
    # 18:40 in Shanghai is 11:40 in Berlin; the out is 08:55 in Shanghai the next day,
    # 01:55 in Berlin, before the boundary again.
    assert (row["first_in"], row["last_out"]) == ("2026-03-02T11:40:00+01:00",
                                                  "2026-03-03T01:55:00+01:00")


def test_verify_passes_after_every_new_event(door: Path) -> None:
    ok(door, "punches", "add", "--id", "E001", "--time", "2026-03-03T17:58", "--reason", "x")
    ok(door, "punches", "void", "--seq", "6", "--reason", "y")
    ok(door, "shifts", "set", "Day", "--start", "08:30", "--end", "17:30")
    ok(door, "settings", "timezone=Europe/Berlin")
    assert "ok:" in ok(door, "verify")
    types = {t for t, _ in events(door)}
    assert {"ShiftDefined", "ShiftAssigned", "PunchAdded", "PunchVoided"} <= types


def test_a_removed_person_keeps_the_days_before_removal(door: Path) -> None:
    database = open_database(door)
    try:
        EventStore(database).append([NewEvent(EventType.PERSON_REMOVED,
                                              {"person_id": "E002"})])
    finally:
        database.close()
    rows = daily(door, "2026-03-02", "2026-03-02")
    assert [r["person_id"] for r in rows] == ["E001", "E002"]
    assert "ok:" in ok(door, "verify")


def test_get_attend_infos_gives_the_daily_figures_of_report_daily(tmp_path: Path) -> None:
    from tests.support.http import serve, shut, with_accounts

    db = with_accounts(None, tmp_path / "device.sqlite")
    seed(db, None)
    ok(db, "shifts", "set", "Day", "--start", "09:00", "--end", "18:00",
       "--late-grace-minutes", "5", "--early-grace-minutes", "5", "--break", "12:00-13:00")
    ok(db, "shifts", "assign", "--all", "Day", "--from", "2026-03-01")
    ok(db, "punches", "add", "--id", "E001", "--time", "2026-03-03T17:58", "--reason", "x")
    report = daily(db, "2026-03-02", "2026-03-06")
    api = serve(db)
    try:
        rows = api.viewer.post("/api/v1/get_attend_infos", json={
            "report": "daily", "from": "2026-03-02", "to": "2026-03-06"}).json()
        assert len(rows) == len(report) == 10
        for mine, theirs in zip(rows, report, strict=True):
            assert mine["staff_id"] == mine["person_id"] == theirs["person_id"]
            for key in ("date", "name", "status"):
                assert mine[key] == theirs[key]
            for key in ("worked_minutes", "late_minutes", "early_leave_minutes",
                        "overtime_minutes"):
                assert str(mine[key]) == theirs[key]
            assert (mine["first_in"] or "") == theirs["first_in"]
            assert (mine["last_out"] or "") == theirs["last_out"]
            assert mine["corrected"] == (theirs["corrected"] == "yes")
        punches = api.viewer.post("/api/v1/get_attend_infos", json={
            "start_time": "2026-03-02", "end_time": "2026-03-03"}).json()
        assert {p["staff_id"] for p in punches} == {"E001", "E002"}  # the punches, as before
        bad = api.viewer.post("/api/v1/get_attend_infos", json={"report": "weekly"})
        assert bad.status_code == 400 and "report" in bad.json()["msg"]
        missing = api.viewer.post("/api/v1/get_attend_infos", json={"report": "daily"})
        assert missing.status_code == 400
        month = api.viewer.post("/api/v1/get_attend_infos", json={
            "report": "daily", "from": "2026-13-01", "to": "2026-13-02"})
        assert month.status_code == 400
    finally:
        shut(api)


def test_compact_carries_the_rules_and_drops_old_corrections_with_their_punches(
        tmp_path: Path) -> None:
    """Rules older than the retention age survive a compaction; verify finds no drift."""
    from device.retention import set_hub_acked_position

    db = tmp_path / "door.sqlite"
    seed(db)
    ok(db, "shifts", "set", "day", "--start", "09:00", "--end", "18:00")
    ok(db, "punches", "void", "--seq", "6", "--reason", "someone else")
    database = open_database(db, None)
    try:
        store = EventStore(database)
        with store.transaction() as txn:
            head = txn.head_position()
        set_hub_acked_position(store, head)  # the hub has everything
    finally:
        database.close()
    ok(db, "compact", "--older-than-days", "0")
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM punches").fetchone() == (0,)
        assert c.execute("SELECT count(*) FROM punch_corrections").fetchone() == (0,)
    ok(db, "verify")  # exit 0: no drift in any projection
    assert [s["name"] for s in json.loads(ok(db, "shifts", "list", "--json"))["shifts"]] \
        == ["day"]
