"""Event log: durable punch commits, bulk appends, and rebuilding the projections.

- punch commits: Attendance.on_match through the real device store (WAL, synchronous=FULL,
  the punch and the access decision appended and projected in one transaction), against
  plain sqlite3 INSERT + COMMIT of one row, WAL, synchronous=FULL, same disk.
- append: PunchRecorded events through EventStore.append in 10k-event transactions
  (stamping, hash chain, projections), against plain executemany into a file table.
- rebuild: device.verify.rebuild of a log of 1M PunchRecorded events (100k with --quick),
  against the same number of rows inserted with executemany into an in-memory table.
  The log is built with the recorder's own stamping (sequence, HLC, hash chain) and
  inserted in bulk, since appending 1M events one INSERT at a time takes minutes.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.report import Context, Figure

NAME = "eventlog"
BASE_TIME = 1_767_225_600.0  # 2026-01-01


def punch_payload(i: int) -> dict:
    return {"person_id": f"staff-{i % 5000:05d}", "name": "艾超" if i % 2 else "Barack Obama",
            "status": "in" if i % 2 else "out", "distance": 0.3141,
            "time": BASE_TIME + i}


def punch_commits(ctx: Context, folder: Path) -> list[Figure]:
    from device.attendance import Attendance, Outcome
    from device.recognition.decision import Match, Verdict
    from device.recognition.matcher import Candidate
    from device.terminal import Terminal

    count = 60 if ctx.quick else 300
    photo = next((ctx.data / "faces" / "barack_obama").glob("*.jpg"), None)
    if photo is None:
        ctx.log("punch commits: no photo of barack_obama in the data folder, skipped")
        return []
    terminal = Terminal.open(folder / "device.sqlite", device_id="door-bench")
    try:
        terminal.enroll("obama", "Barack Obama", [photo])
        debounce = terminal.settings().debounce_seconds
        attendance = Attendance(terminal.store)
        match = Match(Verdict.KNOWN, "obama", 0.31, Candidate("obama", 0.31, "sample"), None)
        outcomes = set()
        times = []
        start = time.perf_counter()
        for i in range(count):  # each one past the debounce window: a real punch every time
            t0 = time.perf_counter()
            outcomes.add(attendance.on_match(match, now=BASE_TIME + i * (debounce + 1)).outcome)
            times.append(time.perf_counter() - t0)
        ours = count / (time.perf_counter() - start)
    finally:
        terminal.close()
    assert outcomes <= {Outcome.CHECKED_IN, Outcome.CHECKED_OUT}, outcomes

    plain = sqlite3.connect(folder / "plain.sqlite", isolation_level=None)
    plain.execute("PRAGMA journal_mode=WAL")
    plain.execute("PRAGMA synchronous=FULL")
    plain.execute("CREATE TABLE punches (id INTEGER PRIMARY KEY, person_id TEXT, time REAL,"
                  " payload TEXT)")
    plain_times = []
    start = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        plain.execute("BEGIN")
        plain.execute("INSERT INTO punches (person_id, time, payload) VALUES (?, ?, ?)",
                      ("obama", BASE_TIME + i, '{"status":"check_in"}'))
        plain.execute("COMMIT")
        plain_times.append(time.perf_counter() - t0)
    baseline = count / (time.perf_counter() - start)
    plain.close()
    times.sort()
    plain_times.sort()
    ctx.log(f"punch commits: {ours:.0f}/s through the store, {baseline:.0f}/s plain sqlite3")
    return [
        Figure("event log", "durable punch commits", ours, "commits/s",
               "sqlite3 INSERT+COMMIT (WAL, FULL)", baseline, better="higher",
               note=f"{count} punches; each = punch + access events + projections"),
        Figure("event log", "punch commit latency, median", times[len(times) // 2] * 1e3, "ms",
               "sqlite3 INSERT+COMMIT (WAL, FULL)", plain_times[len(plain_times) // 2] * 1e3),
    ]


def append_events(store, count: int, first: int = 0, batch: int = 10_000) -> None:
    from device.eventlog.model import NewEvent
    from device.events import EventType

    for lo in range(first, first + count, batch):
        events = [NewEvent(EventType.PUNCH_RECORDED.value, punch_payload(i))
                  for i in range(lo, min(first + count, lo + batch))]
        store.append(events, now=BASE_TIME + lo)


def bulk_events(store, count: int, first: int, batch: int = 100_000) -> None:
    """Stamp like the recorder does (seq, HLC, hash chain), insert with executemany."""
    from device.eventlog import hlc
    from device.eventlog.chain import canonical_json, event_hash
    from device.events import EventType

    kind = EventType.PUNCH_RECORDED.value
    with store.recorder.transaction() as txn:
        head = txn.head()
        seq, clock, prev = txn.last_seq(store.device_id), head.hlc, head.hash
        origin = store.device_id
        rows = []
        for i in range(first, first + count):
            seq += 1
            wall = BASE_TIME + i
            clock = hlc.next_after(clock, int(wall * 1000))
            payload = canonical_json(punch_payload(i))
            digest = event_hash(prev, origin, seq, kind, 1, wall, clock, payload, None)
            rows.append((origin, seq, kind, 1, wall, clock, payload, None, prev, digest))
            prev = digest
            if len(rows) >= batch:
                _insert(txn.connection, rows)
        _insert(txn.connection, rows)


def _insert(connection, rows: list) -> None:
    if rows:
        connection.exec_driver_sql(
            "INSERT INTO events (origin, seq, type, version, wall_time, hlc, payload, sealed,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        rows.clear()


def log_figures(ctx: Context, folder: Path, profile: bool = False) -> list[Figure]:
    import sqlalchemy as sa

    from device.storage.schema import punches
    from device.terminal import Terminal
    from device.verify import rebuild

    total = 100_000 if ctx.quick else 1_000_000
    appended = 10_000 if ctx.quick else 20_000
    terminal = Terminal.open(folder / "log.sqlite", device_id="door-bench")
    try:
        store = terminal.store
        start = time.perf_counter()
        append_events(store, appended)
        append_rate = appended / (time.perf_counter() - start)
        plain = sqlite3.connect(folder / "plain-append.sqlite", isolation_level=None)
        plain.execute("PRAGMA journal_mode=WAL")
        plain.execute("PRAGMA synchronous=FULL")
        plain.execute("CREATE TABLE events (position INTEGER PRIMARY KEY, type TEXT,"
                      " payload TEXT)")
        rows = [("PunchRecorded", str(punch_payload(i))) for i in range(appended)]
        start = time.perf_counter()
        for lo in range(0, appended, 10_000):
            plain.execute("BEGIN")
            plain.executemany("INSERT INTO events (type, payload) VALUES (?, ?)",
                              rows[lo:lo + 10_000])
            plain.execute("COMMIT")
        plain_rate = appended / (time.perf_counter() - start)
        plain.close()
        ctx.log(f"append: {append_rate:.0f} events/s via the store, {plain_rate:.0f}/s plain")

        start = time.perf_counter()
        bulk_events(store, total - appended, first=appended)
        ctx.log(f"log of {total:,} events built in {time.perf_counter() - start:.0f} s; "
                "rebuilding")
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        scratch = rebuild(store)
        if profiler:
            profiler.disable()
        rebuild_s = time.perf_counter() - start
        with scratch.connect() as c:
            rebuilt = c.execute(sa.select(sa.func.count()).select_from(punches)).scalar()
        scratch.dispose()
        assert rebuilt == total, (rebuilt, total)
    finally:
        terminal.close()
    punch_rows = [(i + 1, "door-bench", i + 1, f"staff-{i % 5000:05d}", "艾超", "check_in",
                   BASE_TIME + i, 0.3141) for i in range(total)]
    memory = sqlite3.connect(":memory:")
    memory.execute("CREATE TABLE punches (position INTEGER PRIMARY KEY, origin TEXT, seq INTEGER,"
                   " person_id TEXT, name TEXT, status TEXT, time REAL, distance REAL)")
    start = time.perf_counter()
    memory.executemany("INSERT INTO punches VALUES (?, ?, ?, ?, ?, ?, ?, ?)", punch_rows)
    memory.commit()
    baseline_s = time.perf_counter() - start
    memory.close()
    ctx.log(f"rebuild: {rebuild_s:.1f} s for {total:,} events; executemany {baseline_s:.1f} s")
    label = f"rebuild {total // 1000}k events" if total < 1_000_000 else "rebuild 1M events"
    figures = [
        Figure("event log", "append via EventStore (10k/txn)", append_rate, "events/s",
               "sqlite3 executemany (WAL, FULL)", plain_rate, better="higher",
               note=f"{appended:,} PunchRecorded events"),
        Figure(label, "device.verify.rebuild", rebuild_s, "s",
               "executemany into :memory:", baseline_s,
               target="<= 60 s" if total == 1_000_000 else "<= 6 s (60 s per 1M)",
               met=rebuild_s <= 60 * total / 1_000_000),
    ]
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
        ctx.extra["rebuild_profile"] = text.getvalue()
        ctx.log(text.getvalue())
    return figures


def run(ctx: Context) -> list[Figure]:
    folder = Path(tempfile.mkdtemp(prefix="facegate-bench-"))  # a real disk, not tmpfs
    try:
        figures = punch_commits(ctx, folder)
        figures += log_figures(ctx, folder, profile=ctx.extra.get("profile", False))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return figures
