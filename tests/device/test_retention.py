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
def door(enrolled_terminal: Terminal) -> Terminal:
    """The enrolled door, debounce off (and that setting must survive compaction)."""
    enrolled_terminal.change_settings(debounce_seconds=0)
    return enrolled_terminal


def _punch_days(terminal: Terminal, start: float, days: int) -> list[int]:
    desk = Attendance(terminal.store)
    positions = []
    for d in range(days):
        position = desk.on_match(KNOWN, now=start + d * DAY).position
        assert position is not None
        positions.append(position)
    return positions


def test_only_old_and_acknowledged_punches_are_compacted(door: Terminal,
                                                         enrolled_db: Path) -> None:
    import time

    now = time.time()
    positions = _punch_days(door, now - 10 * DAY, 10)
    nothing = compact(door.store, older_than_seconds=3 * DAY, now=now)
    assert nothing.removed == 0  # the hub has acknowledged nothing yet
    set_hub_acked_position(door.store, positions[4])
    result = compact(door.store, older_than_seconds=3 * DAY, now=now)
    assert result.removed > 0 and result.position == positions[4]
    remaining = [p.position for p in door.punches()]
    assert remaining == positions[5:]
    report = door.verify()
    assert report.ok, report
    # People, samples and settings survive; recognition still works after compaction.
    assert len(door.people()) == 6
    assert door.settings().debounce_seconds == 0
    with sqlite3.connect(enrolled_db) as raw:
        assert raw.execute("SELECT min(position) FROM events").fetchone()[0] > positions[4]
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute("DELETE FROM events WHERE position = (SELECT max(position) FROM events)")


def test_compaction_keeps_sequences_and_clock_going(door: Terminal) -> None:
    import time

    now = time.time()
    positions = _punch_days(door, now - 5 * DAY, 3)
    last_seq = door.store.read()[-1].seq
    set_hub_acked_position(door.store, positions[-1] + 1)
    compact(door.store, older_than_seconds=DAY, now=now)
    (new,) = _punch_days(door, now, 1)
    events = door.store.read()
    assert min(e.seq for e in events) > last_seq
    assert door.verify().ok
    assert new in {p.position for p in door.punches()}


def test_removed_person_is_not_carried_into_the_checkpoint(door: Terminal,
                                                           enrolled_db: Path) -> None:
    import time

    now = time.time()
    crop = door.face_crops("rose_leslie")[0]
    door.remove("rose_leslie")
    positions = _punch_days(door, now - 5 * DAY, 2)
    set_hub_acked_position(door.store, positions[-1] + 1)
    door.store.append([], now=now)
    compact(door.store, older_than_seconds=0, now=now + 1)
    raw = b"".join(p.read_bytes() for p in enrolled_db.parent.glob(enrolled_db.name + "*"))
    assert crop[100:140] not in raw
    assert "rose_leslie" not in {p.person_id for p in door.people()}
    assert door.verify().ok


def test_the_api_audit_trail_is_pruned_by_age_alone(door: Terminal,
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
    result = compact(door.store, older_than_seconds=30 * DAY, now=now)
    assert result.audit_removed == 2 and result.removed == 0
    with sqlite3.connect(enrolled_db) as raw:
        left = [r[0] for r in raw.execute("SELECT action FROM api_audit ORDER BY time")]
        assert left == ["young", "young"]
        assert raw.execute("SELECT count(*) FROM events").fetchone()[0] == events_before
    assert compact(door.store, older_than_seconds=30 * DAY, now=now).audit_removed == 0
    assert door.verify().ok
