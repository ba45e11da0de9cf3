"""`python -m device --db PATH <command>`: the door device from a shell.

Exit 0 on success, 2 on bad input (one line on stderr, nothing written), 1 when `verify`
finds the log tampered with, or when the disk or database fails under a command (a full
disk, a read-only file: one line on stderr, the transaction rolled back). A reader that
stops early (`... | head -1`) ends the command quietly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import sqlalchemy as sa

from device.database import describe_storage_error
from device.errors import FaceGateError
from device.terminal import Terminal

if TYPE_CHECKING:
    import numpy as np

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_DB = "var/device.sqlite"


STORAGE_ERRORS = (sa.exc.OperationalError, sa.exc.DatabaseError, sqlite3.Error, OSError)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:  # the reader went away (`| head -1`): no traceback
        _silence_stdout()
        return EXIT_FAILED


def _run(args: argparse.Namespace) -> int:
    try:
        terminal = Terminal.open(args.db, device_id=args.device_id)
    except FaceGateError as e:
        return _fail(e)
    except BrokenPipeError:
        raise
    except STORAGE_ERRORS as e:
        return _fail_storage(e, args.db)
    try:
        code = args.run(terminal, args)
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return code
    except FaceGateError as e:
        return _fail(e)
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:
        raise
    except STORAGE_ERRORS as e:
        return _fail_storage(e, args.db)
    finally:
        terminal.close()


def _fail(error: Exception) -> int:
    print(f"error: {error}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _fail_storage(error: BaseException, db: str) -> int:
    """A full disk, a read-only file, a damaged table: one line, never a traceback."""
    print(f"error: {describe_storage_error(error, db)}", file=sys.stderr)
    return EXIT_FAILED


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, like every other bad input (argparse prints the usage as well)."""
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m device", description=__doc__)
    parser.add_argument("--db", default=os.environ.get("FACEGATE_DB", DEFAULT_DB),
                        help="device database file (created if missing)")
    parser.add_argument("--device-id", default=None, help="id for a new database")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("enroll", help="enrol a person from one or more photos")
    p.add_argument("--id", required=True, dest="person_id")
    p.add_argument("--name", required=True)
    p.add_argument("--phone")
    p.add_argument("--mail")
    p.add_argument("--force", action="store_true", help="enrol even if the face is known")
    p.add_argument("--largest", action="store_true", help="take the largest of several faces")
    p.add_argument("images", nargs="+")
    p.set_defaults(run=cmd_enroll)

    p = sub.add_parser("import", help="enrol everyone in a folder")
    p.add_argument("folder")
    p.add_argument("--force", action="store_true")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("identify", help="who is in these photos")
    p.add_argument("--json", action="store_true")
    p.add_argument("images", nargs="+")
    p.set_defaults(run=cmd_identify)

    p = sub.add_parser("engine", help="the face engine: status, or switch (re-encodes the "
                       "library from its stored crops first)")
    p.add_argument("action", nargs="?", choices=("status", "switch"), default="status")
    p.add_argument("name", nargs="?", help="switch: dlib or mobileface")
    p.set_defaults(run=cmd_engine)

    p = sub.add_parser("calibrate", help="measure this site's photos (one folder per person) "
                       "and propose a security level")
    p.add_argument("folder")
    p.add_argument("--people", type=int, default=None,
                   help="library size to plan for (default: the people enrolled, at least 10)")
    p.add_argument("--apply", action="store_true", help="set the proposed security_level")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_calibrate)

    p = sub.add_parser("people", help="list enrolled people")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_people)

    p = sub.add_parser("remove", help="remove a person and erase their face data")
    p.add_argument("person_id")
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("export", help="write a person's stored face crops to a folder")
    p.add_argument("person_id")
    p.add_argument("folder")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("punches", help="punches in a time range; add or void one (a "
                       "correction: the original stays in the log)")
    p.add_argument("--from", dest="start", type=_iso)
    p.add_argument("--to", dest="end", type=_iso)
    p.add_argument("--csv", action="store_true")
    p.set_defaults(run=cmd_punches)
    actions = p.add_subparsers(dest="action", required=False, metavar="ACTION")
    q = actions.add_parser("add", help="add a missed punch (a correction)")
    q.add_argument("--id", required=True, dest="person_id")
    q.add_argument("--time", required=True, dest="at",
                   help="ISO date-time; without an offset, the site's time zone")
    q.add_argument("--status", choices=("in", "out"), default=None)
    q.add_argument("--reason", required=True)
    q.set_defaults(run=cmd_punches_add)
    q = actions.add_parser("void", help="void a wrong punch by its sequence number")
    q.add_argument("--seq", required=True, type=int)
    q.add_argument("--reason", required=True)
    q.add_argument("--origin", default=None, help="the door that recorded it (default: this)")
    q.set_defaults(run=cmd_punches_void)

    p = sub.add_parser("shifts", help="attendance shifts: set, assign, list")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = actions.add_parser("set", help="define a shift (a new definition applies from today)")
    q.add_argument("name")
    q.add_argument("--start", required=True, help="HH:MM")
    q.add_argument("--end", required=True, help="HH:MM")
    q.add_argument("--overnight", action="store_true", help="the shift ends the next day")
    q.add_argument("--late-grace-minutes", type=int, default=0)
    q.add_argument("--early-grace-minutes", type=int, default=0)
    q.add_argument("--days", default="mon-fri", help="work days, e.g. mon-fri or mon,wed,fri")
    q.add_argument("--break", dest="breaks", action="append", default=[],
                   metavar="HH:MM-HH:MM", help="an unpaid break (repeatable)")
    q.set_defaults(run=cmd_shifts_set)
    q = actions.add_parser("assign", help="assign a shift to a person (ID) or everyone (--all)")
    q.add_argument("args", nargs="+", metavar="ID NAME")
    q.add_argument("--all", action="store_true", dest="everyone")
    q.add_argument("--from", dest="start", default=None, help="first day (default: today)")
    q.add_argument("--to", dest="end", default=None, help="last day (default: open)")
    q.add_argument("--temporary", action="store_true",
                   help="a temporary schedule: wins over the regular one")
    q.set_defaults(run=cmd_shifts_assign)
    q = actions.add_parser("list", help="the shifts and who works them")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run=cmd_shifts_list)

    p = sub.add_parser("report", help="attendance reports: daily sheet, monthly summary")
    actions = p.add_subparsers(dest="action", required=True, metavar="REPORT")
    q = actions.add_parser("daily", help="one row per person per work day")
    q.add_argument("--from", dest="start", required=True, help="first day YYYY-MM-DD")
    q.add_argument("--to", dest="end", required=True, help="last day YYYY-MM-DD (inclusive)")
    out = q.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true")
    out.add_argument("--xlsx", metavar="FILE")
    q.set_defaults(run=cmd_report_daily)
    q = actions.add_parser("monthly", help="one row per person for a month")
    q.add_argument("--month", required=True, help="YYYY-MM")
    out = q.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true")
    out.add_argument("--xlsx", metavar="FILE")
    q.set_defaults(run=cmd_report_monthly)

    p = sub.add_parser("watch", help="recognise people on a video, camera or pipeline")
    p.add_argument("source", help="video file, camera index, or a GStreamer pipeline")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_watch)

    p = sub.add_parser("verify", help="check the hash chain and rebuild every projection")
    p.add_argument("--anchors", metavar="FILE",
                   help="also check the log against the hub's anchors "
                        "(run_sync.py hub-anchors DEVICE > FILE)")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("compact", help="drop hub-acknowledged records older than N days")
    p.add_argument("--older-than-days", type=float, default=None)
    p.set_defaults(run=cmd_compact)

    p = sub.add_parser("settings", help="show or change settings: KEY=VALUE ...")
    p.add_argument("changes", nargs="*")
    p.set_defaults(run=cmd_settings)

    p = sub.add_parser("run", help="run the door headless: camera, TOF wake, relay, punches")
    p.add_argument("--profile", default=os.environ.get("FACEGATE_HARDWARE", "dev-pc"),
                   help="hardware profile (dev-pc, jetson-nano, raspberry-pi or a .toml path)")
    p.add_argument("--seconds", type=float, default=None, help="stop after this long")
    p.add_argument("--always-awake", action="store_true", help="ignore the TOF sensor")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_run)

    from device.api.command import add_serve_command

    add_serve_command(sub)

    p = sub.add_parser("demo", help="enrol the sample people and watch the sample video")
    p.add_argument("--data", default=os.environ.get("FACEGATE_DATA", _default_data()))
    p.set_defaults(run=cmd_demo)
    return parser


def _default_data() -> str:
    return str(Path(__file__).resolve().parents[2] / "shared" / "data")


def _iso(text: str) -> float:
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date or date-time") from e


def cmd_enroll(t: Terminal, a: argparse.Namespace) -> int:
    r = t.enroll(a.person_id, a.name, a.images, phone=a.phone, mail=a.mail, force=a.force,
                 largest=a.largest)
    print(f"enrolled {r.person_id} ({r.name}): {r.samples_added} samples")
    return EXIT_OK


def cmd_import(t: Terminal, a: argparse.Namespace) -> int:
    def progress(i: int, total: int, person_id: str, problem: str | None) -> None:
        bar = "#" * (20 * i // total)
        status = f"skipped: {problem}" if problem else "ok"
        print(f"[{bar:<20}] {i}/{total} {person_id}: {status}", file=sys.stderr)

    done, errors = t.import_folder(a.folder, progress, force=a.force)
    for error in errors:  # every refused photo with its reason, misnamed files included
        print(f"skipped {error}", file=sys.stderr)
    people = len({r.person_id for r in done})
    print(f"imported {people} people, {sum(r.samples_added for r in done)} samples, "
          f"{len(errors)} photos skipped")
    return EXIT_OK


def cmd_identify(t: Terminal, a: argparse.Namespace) -> int:
    for image in a.images:
        faces = t.identify(image)
        record = {"image": image, "faces": [{
            "box": list(f.box), "person_id": f.match.person_id, "name": f.name,
            "distance": None if f.match.distance is None else round(f.match.distance, 4),
            "verdict": f.match.verdict.value,  # known, unknown or ambiguous (a near-tie)
        } for f in faces]}
        if a.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            names = ", ".join(f"{x['name'] or x['verdict']} ({x['distance']})"
                              for x in record["faces"]) or "no face"
            print(f"{image}: {names}")
    return EXIT_OK


def cmd_engine(t: Terminal, a: argparse.Namespace) -> int:
    from device.errors import BadInput

    if a.action == "switch":
        if not a.name:
            raise BadInput("engine switch: name the engine (dlib or mobileface)")
        def progress(done: int, total: int) -> None:
            print(f"re-encoded {done}/{total} samples", file=sys.stderr, flush=True)

        try:
            report = t.switch_engine(a.name, progress)
        except ValueError as e:  # an unknown engine name
            raise BadInput(str(e)) from None
        print(f"switched to {a.name} ({report.target}): {report.reencoded} samples "
              f"re-encoded, {report.already} done before, {len(report.unencodable)} "
              "could not be")
        for u in report.unencodable:
            print(f"not re-encoded: sample {u.sample_id} of {u.person_id}: {u.reason}")
        return EXIT_OK
    s = t.settings()
    rule = t.match_rule(s)
    models = t.library_models()
    print(f"face_engine={s.face_engine} model={t.engine.model_id} dim={t.engine.dim}")
    for model, count in sorted(models.items()):
        mark = "  (in use)" if model == t.engine.model_id else ""
        print(f"samples {model}: {count}{mark}")
    source = f"security_level 1 in {rule.level}" if rule.level else "fixed match_threshold"
    print(f"threshold={rule.threshold:.4f} margin={rule.margin:.4f} for {rule.people} "
          f"people ({source})")
    return EXIT_OK


def cmd_calibrate(t: Terminal, a: argparse.Namespace) -> int:
    from device.recognition.site_calibration import measure_site, propose

    people = a.people if a.people is not None else t.cache.index.person_count
    site = measure_site(t.engine, Path(a.folder))
    proposal = propose(site, t.engine.model_id, people)
    if a.json:
        print(json.dumps(proposal.as_dict(), ensure_ascii=False))
    else:
        print(proposal.text())
    if a.apply and proposal.level is not None:
        t.change_settings(security_level=proposal.level)
        print(f"security_level={proposal.level}")
    return EXIT_OK


def cmd_people(t: Terminal, a: argparse.Namespace) -> int:
    for p in t.people():
        updated = dt.datetime.fromtimestamp(p.updated_at).isoformat(timespec="seconds")
        if a.json:
            print(json.dumps({"person_id": p.person_id, "name": p.name, "phone": p.phone,
                              "mail": p.mail, "samples": p.samples, "updated_at": updated,
                              "quality": p.quality, "gates": p.gates}, ensure_ascii=False))
        else:
            quality = "" if p.quality is None else f"\tsharpness {p.quality:.0f}"
            print(f"{p.person_id}\t{p.name}\t{p.samples} samples\t{updated}{quality}")
    return EXIT_OK


def cmd_remove(t: Terminal, a: argparse.Namespace) -> int:
    t.remove(a.person_id)
    print(f"removed {a.person_id}; face data erased")
    return EXIT_OK


def cmd_export(t: Terminal, a: argparse.Namespace) -> int:
    crops = t.face_crops(a.person_id)
    folder = Path(a.folder)
    folder.mkdir(parents=True, exist_ok=True)
    for i, jpeg in enumerate(crops, 1):
        (folder / f"{a.person_id}_{i}.jpg").write_bytes(jpeg)
    print(f"wrote {len(crops)} face crops to {folder}")
    return EXIT_OK


def cmd_punches(t: Terminal, a: argparse.Namespace) -> int:
    if a.csv:
        sys.stdout.write(t.punches_csv(a.start, a.end))
        return EXIT_OK
    for p in t.punches(a.start, a.end):
        print(json.dumps({"time": dt.datetime.fromtimestamp(p.time).isoformat(timespec="seconds"),
                          "person_id": p.person_id, "name": p.name, "status": p.status,
                          "device": p.origin, "seq": p.seq}, ensure_ascii=False))
    return EXIT_OK


def _who() -> str:
    """Who made a correction or a rule from this shell: cli:<login name>."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def cmd_punches_add(t: Terminal, a: argparse.Namespace) -> int:
    from device.attendance_admin import parse_instant

    at = parse_instant(a.at, t.settings().timezone)
    added = t.add_punch(a.person_id, at, a.status, a.reason, _who())
    print(f"added a punch for {added.person_id} ({added.name}) at "
          f"{_local(t, added.time)}" + (f" ({added.status})" if added.status else ""))
    return EXIT_OK


def cmd_punches_void(t: Terminal, a: argparse.Namespace) -> int:
    voided = t.void_punch(a.seq, a.reason, _who(), a.origin)
    print(f"voided punch {voided.seq} of {voided.origin} ({voided.person_id}); "
          "it stays in the log")
    return EXIT_OK


def _local(t: Terminal, instant: float) -> str:
    from device.timekeeping import local_datetime, site_zone

    zone = site_zone(t.settings().timezone)
    return local_datetime(zone, instant).isoformat(timespec="seconds")


def cmd_shifts_set(t: Terminal, a: argparse.Namespace) -> int:
    from device.timekeeping import Break, Shift, parse_time, parse_weekdays

    breaks = []
    for text in a.breaks:
        begin, sep, end = text.partition("-")
        if not sep:
            raise _bad(f"break {text!r}: write HH:MM-HH:MM")
        breaks.append(Break(parse_time(begin, "break start"), parse_time(end, "break end")))
    shift = Shift(a.name, parse_time(a.start, "start"), parse_time(a.end, "end"),
                  overnight=a.overnight, late_grace_minutes=a.late_grace_minutes,
                  early_grace_minutes=a.early_grace_minutes, breaks=tuple(breaks),
                  days=parse_weekdays(a.days))
    t.define_shift(shift, _who())
    print(f"shift {_shift_text(shift)}")
    return EXIT_OK


def _shift_text(shift: object) -> str:
    from device.timekeeping import Shift, format_weekdays

    assert isinstance(shift, Shift)
    parts = [f"{shift.name} {shift.start:%H:%M}-{shift.end:%H:%M}",
             format_weekdays(shift.days)]
    if shift.overnight:
        parts.append("overnight")
    parts.append(f"late grace {shift.late_grace_minutes} min, early grace "
                 f"{shift.early_grace_minutes} min")
    if shift.breaks:
        parts.append("breaks " + ", ".join(str(b) for b in shift.breaks))
    return "; ".join(parts)


def _bad(message: str) -> Exception:
    from device.errors import BadInput

    return BadInput(message)


def cmd_shifts_assign(t: Terminal, a: argparse.Namespace) -> int:
    from device.timekeeping import ScheduleKind, parse_date, site_zone

    if a.everyone:
        if len(a.args) != 1:
            raise _bad("shifts assign --all NAME: give the shift's name only")
        person_id, name = None, a.args[0]
    else:
        if len(a.args) != 2:
            raise _bad("shifts assign ID NAME (or --all NAME)")
        person_id, name = a.args
    zone = site_zone(t.settings().timezone)
    start = parse_date(a.start, "--from") if a.start else dt.datetime.now(zone).date()
    end = parse_date(a.end, "--to") if a.end else None
    kind = ScheduleKind.TEMPORARY if a.temporary else ScheduleKind.REGULAR
    done = t.assign_shift([name], _who(), person_id=person_id, everyone=a.everyone,
                          start=start, end=end, kind=kind)
    print(f"assigned {done.target}: {done.describe()}")
    return EXIT_OK


def cmd_shifts_list(t: Terminal, a: argparse.Namespace) -> int:
    shifts, assignments = t.shift_rules()
    if a.json:
        print(json.dumps({
            "shifts": [{**s.shift.as_payload(), "by": s.by,
                        "defined_at": _local(t, s.defined_at)} for s in shifts],
            "assignments": [{**x.assignment.as_payload(), "by": x.by,
                             "assigned_at": _local(t, x.assigned_at)} for x in assignments],
        }, ensure_ascii=False))
        return EXIT_OK
    for s in shifts:
        print(f"shift {_shift_text(s.shift)} (set {_local(t, s.defined_at)} by {s.by})")
    for x in assignments:
        print(f"assigned {x.assignment.target}: {x.assignment.describe()} "
              f"(by {x.by} at {_local(t, x.assigned_at)})")
    if not shifts:
        print("no shifts: `shifts set NAME --start HH:MM --end HH:MM` defines one")
    return EXIT_OK


def _write_bytes(text: str) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def cmd_report_daily(t: Terminal, a: argparse.Namespace) -> int:
    from device import attendance_admin as reports
    from device.timekeeping import parse_date

    first, last = parse_date(a.start, "--from"), parse_date(a.end, "--to")
    if a.xlsx:
        reports.check_xlsx_path(a.xlsx)
    rows = t.daily_report(first, last)
    if a.csv:
        _write_bytes(reports.daily_csv(rows))
    elif a.xlsx:
        path = reports.write_xlsx(a.xlsx, [("Daily", reports.DAILY_COLUMNS,
                                            [reports.daily_values(r) for r in rows])])
        print(f"wrote {len(rows)} rows to {path}")
    else:
        print(f"times in {t.settings().timezone}; * a corrected day")
        header = ("date", "staff id", "name", "shift", "in", "out", "worked", "late", "early",
                  "overtime", "status")
        widths = (10, 10, 12, 8, 5, 5, 6, 4, 5, 8, 0)
        print("  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip())
        for r in rows:
            cells = (r.date.isoformat(), r.person_id, r.name, r.shift or "-",
                     f"{r.first_in:%H:%M}" if r.first_in else "-",
                     f"{r.last_out:%H:%M}" if r.last_out else "-",
                     str(r.worked_minutes), str(r.late_minutes), str(r.early_leave_minutes),
                     str(r.overtime_minutes), r.status.value + (" *" if r.corrected else ""))
            print("  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return EXIT_OK


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns (a Chinese character takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def cmd_report_monthly(t: Terminal, a: argparse.Namespace) -> int:
    from device import attendance_admin as reports
    from device.timekeeping import parse_month

    month = parse_month(a.month)
    if a.xlsx:
        reports.check_xlsx_path(a.xlsx)
    rows = t.monthly_report(str(month))
    if a.csv:
        _write_bytes(reports.monthly_csv(rows))
    elif a.xlsx:
        daily = t.daily_report(month.first_day, month.last_day)
        path = reports.write_xlsx(a.xlsx, [
            ("Monthly", reports.MONTHLY_COLUMNS, [reports.monthly_values(r) for r in rows]),
            ("Daily", reports.DAILY_COLUMNS, [reports.daily_values(r) for r in daily])])
        print(f"wrote {len(rows)} people to {path}")
    else:
        print(f"{month}: hours are worked and overtime hours; counts are days")
        for r in rows:
            print(f"{r.person_id}\t{r.name}\tscheduled {r.scheduled_days}\tworked "
                  f"{r.days_worked} days {r.worked_hours} h\tlate {r.late_count} "
                  f"({r.late_minutes} min)\tearly {r.early_leave_count} "
                  f"({r.early_leave_minutes} min)\tabsent {r.absent_days}\tmissing "
                  f"{r.missing_punches}\tovertime {r.overtime_hours} h\tcorrected "
                  f"{r.corrected_days}")
    return EXIT_OK


def cmd_watch(t: Terminal, a: argparse.Namespace) -> int:
    from device.door import DoorLoop

    loop = DoorLoop(t)
    for position, rgb in _frames(a.source):
        step = loop.step(rgb, t=position)
        if step.decision is not None:
            _print_decision(step.decision.as_dict() | {"video_time": round(position, 2)}, a.json)
    return EXIT_OK


def _print_decision(record: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record, ensure_ascii=False), flush=True)
    else:
        who = record["name"] or "unknown"
        print(f"{record['time']}  {record['outcome']:<16} {who} "
              f"(distance {record['distance']})", flush=True)


def _frames(source: str) -> Iterator[tuple[float, np.ndarray]]:
    """(seconds into the stream, RGB frame) for a file, a camera index or a pipeline."""
    import cv2

    from device.errors import BadInput

    if source.isdigit():
        capture = cv2.VideoCapture(int(source))
    elif " ! " in source:
        capture = cv2.VideoCapture(source, cv2.CAP_GSTREAMER)
    else:
        if not Path(source).exists():
            raise BadInput(f"{source}: no such video file")
        capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        raise BadInput(f"{source}: cannot open this video source")
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    index = 0
    try:
        while True:
            ok, bgr = capture.read()
            if not ok:
                return
            yield index / fps, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            index += 1
    finally:
        capture.release()


def cmd_run(t: Terminal, a: argparse.Namespace) -> int:
    """The door without a screen (kiosks without a display, soak tests)."""
    import threading

    from device.runtime import build_door

    db_path = t.database.path
    t.close()
    try:
        door = build_door(db_path, a.profile, always_awake=True if a.always_awake else None)
    except ValueError as e:  # an unknown profile or a bad profile file
        from device.errors import BadInput

        raise BadInput(str(e)) from e
    done = threading.Event()
    door.service.subscribe("decision", lambda d: _print_decision(d.as_dict(), a.json))
    door.service.subscribe("awake", lambda awake: print(
        "someone is at the door" if awake else "nobody at the door: idle", flush=True))
    door.start()
    print(f"door {door.terminal.device_id} running with profile {a.profile}", flush=True)
    try:
        done.wait(a.seconds) if a.seconds else done.wait()
    finally:
        door.close()
    return EXIT_OK


def cmd_verify(t: Terminal, a: argparse.Namespace) -> int:
    if a.anchors:
        problem = _check_anchors(t, Path(a.anchors))
        if problem:
            print(f"TAMPERED: {problem}", file=sys.stderr)
            return EXIT_FAILED
    report = t.verify()
    if report.first_bad_position is not None or report.reason is not None:
        where = f"event at position {report.first_bad_position}: " \
            if report.first_bad_position is not None else ""
        print(f"TAMPERED: {where}{report.reason}", file=sys.stderr)
        return EXIT_FAILED
    if report.projection_diffs:
        for table, diff in report.projection_diffs.items():
            print(f"PROJECTION DRIFT: {table}: {diff}", file=sys.stderr)
        return EXIT_FAILED
    print(f"ok: {report.events_checked} events, chain intact, projections match a rebuild")
    return EXIT_OK


def _check_anchors(t: Terminal, path: Path) -> str | None:
    """None if every hub anchor of this log instance holds, else what is wrong."""
    from device import incarnation
    from device.anchors import check_anchors, load_anchor_file
    from device.errors import BadInput
    from device.storage.db import read_transaction

    try:
        anchors = load_anchor_file(path.read_bytes())
    except OSError as e:
        raise BadInput(f"{path}: {e.strerror}") from e
    if anchors.device != t.device_id:
        raise BadInput(f"{path}: anchors of device {anchors.device!r}, this is {t.device_id!r}")
    with read_transaction(t.database.engine) as c:
        current = incarnation.ensure_read(c)
    if anchors.incarnation != current.id and anchors.incarnation not in current.previous:
        raise BadInput(f"{path}: anchors of another log instance ({anchors.incarnation[:8]})")
    rows = anchors.anchors
    if anchors.incarnation != current.id:  # an earlier instance: what the two share
        rows = tuple(x for x in rows if x.seq <= current.base)
    report = check_anchors(t.database.engine, t.device_id, rows)
    if not report.ok:
        return f"event at position {report.position}: {report.problem}"
    print(f"anchors: {report.checked} acknowledged events hold"
          + (f", {report.before_checkpoint} compacted" if report.before_checkpoint else ""))
    return None


def cmd_compact(t: Terminal, a: argparse.Namespace) -> int:
    from device.retention import compact

    days = a.older_than_days if a.older_than_days is not None else t.settings().retention_days
    result = compact(t.store, older_than_seconds=days * 86400)
    print(f"compacted {result.removed} events up to position {result.position}; "
          f"{result.audit_removed} API audit rows older than {days:g} days removed")
    return EXIT_OK


def cmd_settings(t: Terminal, a: argparse.Namespace) -> int:
    from device.errors import BadInput

    changes = {}
    for item in a.changes:
        key, sep, value = item.partition("=")
        if not sep:
            raise BadInput(f"{item!r}: write KEY=VALUE")
        changes[key] = value
    s = t.change_settings(**changes) if changes else t.settings()
    for key, value in vars(s).items():
        if key != "admin_pin_hash":
            print(f"{key}={value}")
    return EXIT_OK


def cmd_demo(t: Terminal, a: argparse.Namespace) -> int:
    """The embedded default: sample people enrolled, the sample video as the door camera."""
    data = Path(a.data)
    video = data / "video" / "short_hamilton_clip.mp4"
    if not (data / "faces").is_dir() or not video.is_file():
        from device.errors import BadInput

        raise BadInput(f"sample data not found in {data}; set FACEGATE_DATA")
    if not t.people():
        print(f"enrolling the sample people from {data / 'faces'} ...", flush=True)
        cmd_import(t, argparse.Namespace(folder=str(data / "faces"), force=False))
    print(f"{len(t.people())} people enrolled on device {t.device_id}; watching {video}",
          flush=True)
    cmd_watch(t, argparse.Namespace(source=str(video), json=False))
    punches = t.punches()
    print(f"done: {len(punches)} punches on record; `python -m device --db {t.database.path} "
          "punches` lists them", flush=True)
    return EXIT_OK
