"""Tamper evidence against someone who can write the door's file (issue 12, item 6).

A consistent rewrite (hashes recomputed) passes the door's own `verify`; checked against
the hub's anchors it is named. The hub's own copy is checked by `hub-verify`.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from device.eventlog.chain import canonical_json, event_hash
from device.terminal import Terminal
from sync.device_side import DeviceSync
from tests.support.broker import Broker, wait_for
from tests.support.fleet import agent_on, hub_on, punches
from tests.support.paths import REPO

ATTACKS = ["wipe", "truncate_tail", "edit_and_rehash", "delete_mid_and_rehash",
           "forge_mid_and_rehash"]


def _copy(source: Path, target: Path) -> Path:
    """A consistent copy (the WAL included) through SQLite's backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def _device(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "device", "--db", str(db), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def _sync_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run_sync.py", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120)


def _rewrite(db: Path, change) -> None:
    """What an attacker with the file does: drop the guards, change events, re-hash the
    whole chain so it is consistent again, and let projections be rebuilt at next open."""
    with sqlite3.connect(db) as c:
        for trigger in ("events_no_update", "events_no_delete"):
            c.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        rows = [list(r) for r in c.execute(
            "SELECT position, origin, seq, type, version, wall_time, hlc, payload, sealed "
            "FROM events ORDER BY position")]
        rows = change(rows)
        c.execute("DELETE FROM events")
        prev = b"\x00" * 32
        for position, (_, origin, seq, type_, version, wall, hlc, payload, sealed) in \
                enumerate(rows, 1):
            digest = event_hash(prev, origin, seq, type_, version, wall, hlc, payload, sealed)
            c.execute("INSERT INTO events (position, origin, seq, type, version, wall_time, "
                      "hlc, payload, sealed, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                      (position, origin, seq, type_, version, wall, hlc, payload, sealed,
                       prev, digest))
            prev = digest
        for table in ("punches", "access_decisions", "alerts", "people", "face_samples",
                      "settings", "projection_positions"):
            c.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def _own_punches(rows: list) -> list[int]:
    return [i for i, r in enumerate(rows) if r[3] == "PunchRecorded"]


def _renumber(rows: list, device: str) -> list:
    seq = 0
    for r in rows:
        if r[1] == device:
            seq += 1
            r[2] = seq
    return rows


def _attack(name: str, device: str):
    def wipe(rows: list) -> list:
        return []

    def truncate_tail(rows: list) -> list:
        return rows[:-3]

    def edit_and_rehash(rows: list) -> list:
        i = _own_punches(rows)[2]
        rows[i][7] = canonical_json({"name": "Mallory", "person_id": "m1", "status": "in",
                                     "time": 1.7e9})
        return rows

    def delete_mid_and_rehash(rows: list) -> list:
        del rows[_own_punches(rows)[1]]
        return _renumber(rows, device)

    def forge_mid_and_rehash(rows: list) -> list:
        i = _own_punches(rows)[1]
        forged = list(rows[i])
        forged[7] = canonical_json({"name": "Mallory", "person_id": "m1", "status": "in",
                                    "time": 1.7e9})
        rows.insert(i, forged)
        return _renumber(rows, device)

    return locals()[name]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory):
    """A door whose 12 punches the hub acknowledged, the hub's anchors file, the hub db."""
    work = tmp_path_factory.mktemp("tamper")
    broker = Broker(work).start()
    db = work / "door.sqlite"
    door = Terminal.open(db, device_id="door-1")
    punches(door, 12)
    door.close()
    hub, hub_runner = hub_on(str(work / "hub.sqlite"), broker)
    agent = agent_on(db, broker.url)
    try:
        wait_for(lambda: DeviceSync(agent.service.terminal.store).acked_seq() == 12, 60,
                 "the hub's acknowledgement")
        wait_for(lambda: next((d for d in hub.devices() if d.head_seq == 12), None), 30,
                 "the door's status with its head")
    finally:
        agent.stop()
        hub_runner.stop()
        broker.kill()
    anchors = work / "anchors.json"
    done = _sync_cli("hub-anchors", "--db", str(work / "hub.sqlite"), "door-1")
    assert done.returncode == 0, done.stderr
    anchors.write_text(done.stdout)
    return db, anchors, work / "hub.sqlite"


@pytest.mark.slow
def test_an_untouched_log_holds_every_anchor(synced) -> None:
    db, anchors, hub_db = synced
    done = _device(db, "verify", "--anchors", str(anchors))
    assert done.returncode == 0, done.stderr
    assert "anchors: 12 acknowledged events hold" in done.stdout
    verified = _sync_cli("hub-verify", "--db", str(hub_db), "door-1")
    assert verified.returncode == 0, verified.stderr


@pytest.mark.slow
@pytest.mark.parametrize("attack", ATTACKS)
def test_a_consistent_rewrite_is_named_by_the_hubs_anchors(synced, tmp_path: Path,
                                                           attack: str) -> None:
    db, anchors, _ = synced
    copy = _copy(db, tmp_path / "door.sqlite")
    _rewrite(copy, _attack(attack, "door-1"))
    alone = _device(copy, "verify")
    if attack in ("wipe", "truncate_tail", "edit_and_rehash"):
        assert alone.returncode == 0, f"{attack}: the door alone cannot tell ({alone.stderr})"
    checked = _device(copy, "verify", "--anchors", str(anchors))
    assert checked.returncode == 1, checked.stdout
    assert checked.stderr.startswith("TAMPERED: ") and checked.stderr.count("\n") == 1


@pytest.mark.slow
def test_the_hub_names_its_own_altered_copy_and_a_door_behind_it(synced, tmp_path: Path
                                                                 ) -> None:
    _, _, hub_db = synced
    copy = _copy(hub_db, tmp_path / "hub.sqlite")
    with sqlite3.connect(copy) as c:
        c.execute("UPDATE hub_events SET payload = replace(payload, '\"p3\"', '\"m1\"') "
                  "WHERE seq = 4")
        c.execute("UPDATE hub_devices SET head_seq = 9")
    done = _sync_cli("hub-verify", "--db", str(copy), "door-1")
    assert done.returncode == 1
    assert "event 4 was altered" in done.stderr
    assert "truncated or restored" in done.stderr


def test_a_wrong_anchors_file_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite"
    Terminal.open(db, device_id="door-1").close()
    bad = tmp_path / "anchors.json"
    for text in ("{", '{"format":"x"}', '{"format":"facegate-anchors/1","device":"door-2",'
                                         '"incarnation":"ab","anchors":[]}'):
        bad.write_text(text)
        done = _device(db, "verify", "--anchors", str(bad))
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    missing = _sync_cli("hub-verify", "--db", str(tmp_path / "nope.sqlite"), "door-1")
    assert missing.returncode == 2 and "no such hub database" in missing.stderr
    assert not (tmp_path / "nope.sqlite").exists()
