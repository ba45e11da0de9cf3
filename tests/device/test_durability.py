"""Real processes: two writers on one file, and SIGKILL in the middle of punching."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from device.terminal import Terminal

WRITER = Path(__file__).with_name("writer_process.py")


def _writer(db: Path, mode: str, count: int, tag: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WRITER), str(db), mode, str(count), tag],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_processes_append_at_once_without_lock_errors_or_loss(db_path: Path) -> None:
    Terminal.open(db_path, device_id="door-c").close()
    writers = [_writer(db_path, "append", 150, tag) for tag in ("gui", "sync")]
    outputs = [w.communicate(timeout=120) for w in writers]
    for w, (_out, err) in zip(writers, outputs, strict=True):
        assert w.returncode == 0, err
        assert "locked" not in err
    acked = [int(line.split()[1]) for out, _ in outputs for line in out.splitlines()]
    assert len(acked) == 300 and len(set(acked)) == 300
    terminal = Terminal.open(db_path)
    events = terminal.store.read()
    assert [e.position for e in events] == list(range(1, 301))
    assert sorted(e.seq for e in events) == list(range(1, 301))  # one origin, no reuse
    for tag in ("gui", "sync"):
        mine = [e.payload["i"] for e in events if e.payload["person_id"] == tag]
        assert mine == list(range(150))  # each process's events in its own order
    assert terminal.verify().ok
    terminal.close()


@pytest.mark.slow
def test_acknowledged_punches_survive_sigkill(enrolled_db: Path) -> None:
    terminal = Terminal.open(enrolled_db)
    terminal.change_settings(debounce_seconds=0)
    terminal.close()
    rng = random.Random(7)
    acked: list[int] = []
    for _ in range(6):
        writer = _writer(enrolled_db, "punch", 100_000, "x")
        assert writer.stdout is not None
        deadline = time.monotonic() + rng.uniform(0.8, 2.0)
        while time.monotonic() < deadline:
            line = writer.stdout.readline()
            if line.startswith("ACK"):
                acked.append(int(line.split()[1]))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert len(acked) > 10
    with sqlite3.connect(enrolled_db) as raw:
        stored = {r[0] for r in raw.execute("SELECT position FROM punches")}
    assert set(acked) <= stored
    terminal = Terminal.open(enrolled_db)
    assert terminal.verify().ok
    terminal.close()
