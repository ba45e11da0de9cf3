"""`verify` names the event when a column was tampered to another type, when a payload is
not canonical strict JSON, and when an own event was deleted mid-log."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from device.eventlog.model import NewEvent
from device.terminal import Terminal
from tests.support.paths import REPO


def _log_with_punches(db: Path) -> None:
    t = Terminal.open(db, device_id="door-1")
    t.store.append([NewEvent("PunchRecorded", {"person_id": f"p{i}", "name": "n",
                                               "status": "in", "time": 1.7e9 + i})
                    for i in range(5)])
    t.close()


@pytest.mark.parametrize("tamper, words", [
    ("UPDATE events SET seq = 'three' WHERE position = 3", "column seq holds a str"),
    ("UPDATE events SET wall_time = x'00' WHERE position = 2", "column wall_time"),
    ("UPDATE events SET payload = '{\"a\":NaN}' WHERE position = 4", "canonical strict JSON"),
    ("DELETE FROM events WHERE position = 3", "own sequence jumps from 2 to 4"),
])
def test_verify_names_the_tampered_event(db_path: Path, tamper: str, words: str) -> None:
    _log_with_punches(db_path)
    with sqlite3.connect(db_path) as c:
        c.execute("DROP TRIGGER IF EXISTS events_no_update")
        c.execute("DROP TRIGGER IF EXISTS events_no_delete")
        c.execute(tamper)
    done = subprocess.run([sys.executable, "-m", "device", "--db", str(db_path), "verify"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("TAMPERED: event at position ")
    assert words in done.stderr and done.stderr.count("\n") == 1, done.stderr
