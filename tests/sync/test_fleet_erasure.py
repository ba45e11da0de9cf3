"""Erasure across the fleet: a removal at door A leaves no bytes of the person's encoding,
face crop or key in any file of door A, door B or the hub (issue 12, item 5)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from device.terminal import Terminal
from tests.support.broker import wait_for
from tests.support.fleet import agent_on, hub_on


def _files(db: Path) -> list[Path]:
    return [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]


def _holds(files: list[Path], needles: list[bytes]) -> list[str]:
    found = []
    for file in files:
        data = file.read_bytes()
        found += [f"{file.name}: needle {i}" for i, n in enumerate(needles) if n in data]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("party", ["doors", "hub"])
def test_a_removal_erases_the_person_from_every_file_of_every_party(
        tmp_path: Path, broker, enrolled_db: Path, party: str) -> None:
    hub_db = tmp_path / "hub.sqlite"
    hub, hub_runner = hub_on(str(hub_db), broker)
    b_db = tmp_path / "door-b.sqlite"
    Terminal.open(b_db, device_id="door-b").close()
    a, b = agent_on(enrolled_db, broker.url), agent_on(b_db, broker.url)
    try:
        wait_for(lambda: len(Terminal.open(b_db).people()) == 6, 60, "door B's library")
        door_a = Terminal.open(enrolled_db)
        person = door_a.people()[0].person_id
        crop = door_a.face_crops(person)[0]
        with sqlite3.connect(enrolled_db) as c:
            encoding = c.execute("SELECT encoding FROM face_samples WHERE person_id = ?",
                                 (person,)).fetchone()[0]
        with sqlite3.connect(b_db) as c:
            key_b = c.execute("SELECT key FROM subject_keys WHERE key_id = ?",
                              (f"person:{person}",)).fetchone()[0]
        # (a JPEG's first few hundred bytes are tables every crop shares: take its tail)
        needles = [encoding[:64], crop[-200:-136], key_b]
        everything = _files(enrolled_db) + _files(b_db) + _files(hub_db)
        assert _holds(everything, needles), "the needles must be found before the removal"
        door_a.remove(person)
        door_a.close()
        wait_for(lambda: all(p.person_id != person for p in Terminal.open(b_db).people()),
                 60, "door B to apply the removal")
        wait_for(lambda: not hub.has_person(person), 30, "the hub to apply the removal")

        def checked() -> list[Path]:
            return _files(enrolled_db) + _files(b_db) if party == "doors" else _files(hub_db)

        try:
            wait_for(lambda: not _holds(checked(), needles), 30,
                     "every file to be free of the person")
        except AssertionError:
            raise AssertionError(f"still found: {_holds(checked(), needles)}") from None
    finally:
        a.stop()
        b.stop()
        hub_runner.stop()
    assert not _holds(checked(), needles)


def test_a_door_killed_before_its_erasure_checkpoint_finishes_it_at_the_next_start(
        enrolled_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The removal arrives by sync; the process dies before the WAL checkpoint (simulated
    by skipping it); the next open of the database must leave no byte of the person."""
    from sync.device_side import DeviceSync
    from sync.hub.enrol import removal_change
    from sync.wire import WireEvent

    door = Terminal.open(enrolled_db)
    person = door.people()[0].person_id
    with sqlite3.connect(enrolled_db) as c:
        encoding = c.execute("SELECT encoding FROM face_samples WHERE person_id = ?",
                             (person,)).fetchone()[0]
        key = c.execute("SELECT key FROM subject_keys WHERE key_id = ?",
                        (f"person:{person}",)).fetchone()[0]
    needles = [encoding[:64], key]
    removal = removal_change(person)
    monkeypatch.setattr("sync.device_side.checkpoint_wal", lambda *a, **k: False)
    DeviceSync(door.store).apply_library([WireEvent("hub", 1, removal.type, 1, 1.7e9, 1,
                                                    removal.payload)])
    assert _holds(_files(enrolled_db), needles), "the WAL still holds them before restart"
    # (as after SIGKILL: the old process's connections are not closed cleanly, which would
    # checkpoint; the next process opens the file beside them)
    again = Terminal.open(enrolled_db)
    assert all(p.person_id != person for p in again.people())
    assert not _holds(_files(enrolled_db), needles)
    again.close()
    door.close()
