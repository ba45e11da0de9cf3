"""A fleet's life on a real Mosquitto: doors join late, are replaced and restored, the hub
loses its database; every acknowledged punch is at the hub exactly once and every door
converges to the same library (issue 12, item 4). SQLite and PostgreSQL hubs."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import uuid
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from device.terminal import Terminal
from sync.device_side import DeviceSync
from tests.support.broker import wait_for
from tests.support.fleet import agent_on, hub_on, punches
from tests.support.postgres import pg_schema


def _copy(db: Path, target: Path) -> Path:
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(db, target)
    return target


def _punch_names(hub) -> Counter:
    return Counter((p["device_id"], p["person_id"]) for p in hub.punches())


def _checksum(db: Path) -> str:
    t = Terminal.open(db)
    try:
        return DeviceSync(t.store).library_state().checksum
    finally:
        t.close()


class HubDatabases:
    """Fresh hub databases of one kind: files, or schemas in the test PostgreSQL."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind, self.tmp_path = kind, tmp_path
        self.schemas = contextlib.ExitStack()

    def new(self) -> str:
        if self.kind == "sqlite":
            return str(self.tmp_path / f"hub-{uuid.uuid4().hex[:6]}.sqlite")
        return self.schemas.enter_context(pg_schema())

    def drop(self) -> None:
        self.schemas.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_doors_join_late_are_replaced_and_restored_and_the_hub_loses_its_database(
        tmp_path: Path, broker, enrolled_db: Path, data_dir: Path, kind: str) -> None:
    hubs = HubDatabases(kind, tmp_path)
    hub, hub_runner = hub_on(hubs.new(), broker)
    a_db = enrolled_db  # door-t: six people enrolled here
    b_db = tmp_path / "door-b.sqlite"
    Terminal.open(b_db, device_id="door-b").close()
    agents = {"a": agent_on(a_db, broker.url), "b": agent_on(b_db, broker.url)}
    expected: Counter = Counter()

    def punch(db: Path, device: str, n: int, tag: str) -> None:
        t = Terminal.open(db)
        punches(t, n, tag=tag)
        t.close()
        expected.update({(device, f"{tag}{i}"): 1 for i in range(n)})

    def all_punches_once() -> bool:
        return _punch_names(hub) == expected

    try:
        wait_for(lambda: _checksum(b_db) == _checksum(a_db), 60,
                 "door B to learn the six people")
        a = Terminal.open(a_db)
        a.remove(a.people()[0].person_id)  # a removed person's samples replay without data
        a.close()
        punch(a_db, "door-t", 5, "a1-")
        punch(b_db, "door-b", 5, "b1-")
        wait_for(all_punches_once, 60, "the first punches")
        backup = _copy(a_db, tmp_path / "a-backup.sqlite")
        punch(a_db, "door-t", 4, "a2-")  # at the hub, but not in the backup
        wait_for(all_punches_once, 60, "punches after the backup")

        # Someone is enrolled centrally at the hub: every door learns them.
        from sync.hub.enrol import enrolment_changes

        hub.append_library(enrolment_changes("C1", "Central", [data_dir / "faces" / "joe_biden"
                                                               / "biden_1.jpg"]))
        wait_for(lambda: _checksum(a_db) == _checksum(b_db) == hub.library_state()[1], 60,
                 "the central enrolment at every door")

        # A brand-new door joins after a removal.
        c_db = tmp_path / "door-c.sqlite"
        Terminal.open(c_db, device_id="door-c").close()
        agents["c"] = agent_on(c_db, broker.url)
        wait_for(lambda: _checksum(c_db) == _checksum(a_db), 60, "door C to converge")
        assert agents["c"].thread.is_alive()

        # Door B is replaced under the same id by an empty database.
        agents["b"].stop()
        b_db.unlink()
        for suffix in ("-wal", "-shm"):
            Path(f"{b_db}{suffix}").unlink(missing_ok=True)
        Terminal.open(b_db, device_id="door-b").close()
        agents["b"] = agent_on(b_db, broker.url)
        punch(b_db, "door-b", 3, "b2-")
        wait_for(all_punches_once, 60, "the replaced door's punches beside the old ones")

        # Door A is restored from the backup: it must not overwrite what the hub holds.
        agents["a"].stop()
        _copy(backup, a_db)
        for suffix in ("-wal", "-shm"):
            Path(f"{a_db}{suffix}").unlink(missing_ok=True)
        agents["a"] = agent_on(a_db, broker.url)
        punch(a_db, "door-t", 3, "a3-")
        wait_for(all_punches_once, 60, "the restored door's new punches")
        restored = Terminal.open(a_db)
        assert any(x.kind == "log_restored" for x in restored.alerts())
        restored.close()

        # The hub's database is replaced by an empty one: every door sends all it holds.
        hub_runner.stop()
        hub, hub_runner = hub_on(hubs.new(), broker)
        for db in (a_db, b_db, c_db):
            t = Terminal.open(db)
            t.close()
        surviving = Counter({k: 1 for k in expected
                             if not (k[0] == "door-t" and k[1].startswith("a2-"))
                             and not (k[0] == "door-b" and k[1].startswith("b1-"))})
        # a2- punches lived only in the replaced A log, b1- only in the old B database:
        # both are gone from every door, so a hub that lost its database cannot get them.
        try:
            wait_for(lambda: _punch_names(hub) == surviving, 90, "the new hub to catch up")
        except AssertionError:
            got = _punch_names(hub)
            with hub.engine.connect() as c:
                rej = c.execute(sa.text("select device_id, incarnation, seq, reason from "
                                        "hub_rejected")).all()
                logs = c.execute(sa.text("select * from hub_logs")).all()
            raise AssertionError(f"missing {sorted(surviving - got)[:8]}, extra "
                                 f"{sorted(got - surviving)[:8]} {rej} {logs}") from None
        punch(c_db, "door-c", 2, "c1-")
        surviving.update({("door-c", f"c1-{i}"): 1 for i in range(2)})
        wait_for(lambda: _punch_names(hub) == surviving, 60, "a punch at the new hub")
        wait_for(lambda: len({_checksum(db) for db in (a_db, b_db, c_db)}
                             | {hub.library_state()[1]}) == 1, 90,
                 "every door and the new hub to converge on one library")
        assert hub.has_person("C1"), "the centrally enrolled person came back to the hub"
        for runner in (*agents.values(), hub_runner):
            assert runner.thread.is_alive(), "a process died"
    finally:
        for runner in agents.values():
            runner.stop()
        hub_runner.stop()
        hubs.drop()
