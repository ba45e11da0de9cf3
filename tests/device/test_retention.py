"""Compaction of old, hub-acknowledged records: chain verifiable, state intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from device.attendance import Attendance
from device.recognition.decision import Match, Verdict
from device.retention import compact, set_hub_acked_position
from device.terminal import Terminal

DAY = 86400.0
KNOWN = Match(Verdict.KNOWN, "kit_harington", 0.3, None, None)


@pytest.fixture
def terminal(enrolled_db: Path):
    t = Terminal.open(enrolled_db)
    t.change_settings(debounce_seconds=0)
    yield t
    t.close()


def _punch_days(terminal: Terminal, start: float, days: int) -> list[int]:
    desk = Attendance(terminal.store)
    return [desk.on_match(KNOWN, now=start + d * DAY).position for d in range(days)]


def test_only_old_and_acknowledged_punches_are_compacted(terminal: Terminal,
                                                         enrolled_db: Path) -> None:
    import time

    now = time.time()
    positions = _punch_days(terminal, now - 10 * DAY, 10)
    nothing = compact(terminal.store, older_than_seconds=3 * DAY, now=now)
    assert nothing.removed == 0  # the hub has acknowledged nothing yet
    set_hub_acked_position(terminal.store, positions[4])
    result = compact(terminal.store, older_than_seconds=3 * DAY, now=now)
    assert result.removed > 0 and result.position == positions[4]
    remaining = [p.position for p in terminal.punches()]
    assert remaining == positions[5:]
    report = terminal.verify()
    assert report.ok, report
    # People, samples and settings survive; recognition still works after compaction.
    assert len(terminal.people()) == 6
    assert terminal.settings().debounce_seconds == 0
    with sqlite3.connect(enrolled_db) as raw:
        assert raw.execute("SELECT min(position) FROM events").fetchone()[0] > positions[4]
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("DELETE FROM events WHERE position = (SELECT max(position) FROM events)")


def test_compaction_keeps_sequences_and_clock_going(terminal: Terminal) -> None:
    import time

    now = time.time()
    positions = _punch_days(terminal, now - 5 * DAY, 3)
    last_seq = terminal.store.read()[-1].seq
    set_hub_acked_position(terminal.store, positions[-1] + 1)
    compact(terminal.store, older_than_seconds=DAY, now=now)
    (new,) = _punch_days(terminal, now, 1)
    events = terminal.store.read()
    assert min(e.seq for e in events) > last_seq
    assert terminal.verify().ok
    assert new in {p.position for p in terminal.punches()}


def test_removed_person_is_not_carried_into_the_checkpoint(terminal: Terminal,
                                                           enrolled_db: Path) -> None:
    import time

    now = time.time()
    crop = terminal.face_crops("rose_leslie")[0]
    terminal.remove("rose_leslie")
    positions = _punch_days(terminal, now - 5 * DAY, 2)
    set_hub_acked_position(terminal.store, positions[-1] + 1)
    terminal.store.append([], now=now)
    compact(terminal.store, older_than_seconds=0, now=now + 1)
    raw = b"".join(p.read_bytes() for p in enrolled_db.parent.glob(enrolled_db.name + "*"))
    assert crop[100:140] not in raw
    assert "rose_leslie" not in {p.person_id for p in terminal.people()}
    assert terminal.verify().ok


def test_the_api_audit_trail_is_pruned_by_age_alone(terminal: Terminal,
                                                    enrolled_db: Path) -> None:
    """Local, never synced: no hub acknowledgement needed; young rows and the log stay."""
    import time

    now = time.time()
    with sqlite3.connect(enrolled_db) as raw:
        raw.executemany(
            "INSERT INTO api_audit (time, username, remote_addr, action, detail) "
            "VALUES (?, 'admin', '127.0.0.1', ?, '{}')",
            [(now - 40 * DAY, "old"), (now - 31 * DAY, "old"), (now - 29 * DAY, "young"),
             (now, "young")])
        events_before = raw.execute("SELECT count(*) FROM events").fetchone()[0]
    result = compact(terminal.store, older_than_seconds=30 * DAY, now=now)
    assert result.audit_removed == 2 and result.removed == 0
    with sqlite3.connect(enrolled_db) as raw:
        left = [r[0] for r in raw.execute("SELECT action FROM api_audit ORDER BY time")]
        assert left == ["young", "young"]
        assert raw.execute("SELECT count(*) FROM events").fetchone()[0] == events_before
    assert compact(terminal.store, older_than_seconds=30 * DAY, now=now).audit_removed == 0
    assert terminal.verify().ok
