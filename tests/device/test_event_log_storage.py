"""The log's guarantees, enforced by SQLite itself: append-only, chained, verifiable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device.errors import DatabaseError
from device.eventlog.model import NewEvent
from device.terminal import Terminal
from tests.support.paths import REPO


def _punches(n: int) -> list[NewEvent]:
    return [NewEvent("PunchRecorded", {"person_id": f"p{i}", "name": "艾超", "status": "in",
                                       "time": 1.0e9 + i}) for i in range(n)]


def test_update_and_delete_of_events_are_refused_by_the_database(terminal, db_path) -> None:
    terminal.store.append(_punches(3))
    with sqlite3.connect(db_path) as raw:
        with pytest.raises(sqlite3.IntegrityError, match="append-only: UPDATE"):
            raw.execute("UPDATE events SET payload = '{}' WHERE position = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only: DELETE"):
            raw.execute("DELETE FROM events WHERE position = 1")
        assert raw.execute("SELECT count(*) FROM events").fetchone()[0] == 3


def test_wal_and_full_sync_are_in_force(terminal) -> None:
    with terminal.database.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert c.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_verify_passes_on_an_honest_log(terminal) -> None:
    terminal.store.append(_punches(5))
    report = terminal.verify()
    assert report.ok and report.events_checked == 5


def _tamper_byte(db_path: Path, position: int, column: str, index: int) -> None:
    """Change one byte of a stored event behind the software's back (triggers dropped)."""
    with sqlite3.connect(db_path) as raw:
        value = raw.execute(f"SELECT {column} FROM events WHERE position = ?",  # noqa: S608
                            (position,)).fetchone()[0]
        data = bytearray(value.encode() if isinstance(value, str) else value)
        data[index % len(data)] ^= 0x01
        new = bytes(data) if isinstance(value, bytes) else data.decode("utf-8", "replace")
        raw.execute("DROP TRIGGER events_no_update")
        raw.execute(f"UPDATE events SET {column} = ? WHERE position = ?",  # noqa: S608
                    (new, position))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(1, 6), column=st.sampled_from(["payload", "hash", "prev_hash"]),
       index=st.integers(0, 10_000))
def test_chain_detects_any_single_byte_change(tmp_path_factory, position, column, index) -> None:
    path = tmp_path_factory.mktemp("tamper") / "d.sqlite"
    t = Terminal.open(path, device_id="door-x")
    t.store.append(_punches(6))
    t.close()
    _tamper_byte(path, position, column, index)
    t = Terminal.open(path)
    report = t.verify()
    t.close()
    assert not report.ok
    assert report.first_bad_position == position


def test_verify_cli_names_the_first_tampered_event(terminal, db_path) -> None:
    from device.cli import main

    terminal.store.append(_punches(4))
    terminal.close()
    _tamper_byte(db_path, 3, "payload", 12)
    assert main(["--db", str(db_path), "verify"]) == 1


def test_verify_reports_projection_drift(terminal, db_path) -> None:
    terminal.store.append(_punches(3))
    with sqlite3.connect(db_path) as raw:
        raw.execute("DELETE FROM punches WHERE position = 2")
    report = terminal.verify()
    assert report.projection_diffs == {"punches": "live has 2 rows, rebuild has 3"}


def test_a_file_that_is_not_sqlite_is_refused(tmp_path) -> None:
    path = tmp_path / "not.sqlite"
    path.write_bytes(b"hello, I am a text file" * 10)
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        Terminal.open(path)
    assert path.read_bytes() == b"hello, I am a text file" * 10


def test_a_database_from_a_newer_schema_is_refused(terminal, db_path) -> None:
    terminal.close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="newer than this FaceGate"):
        Terminal.open(db_path)


def test_head_constant_is_alembic_head_and_a_current_database_skips_alembic(
        terminal, db_path) -> None:
    import subprocess
    import sys

    from alembic.script import ScriptDirectory

    from device.storage import migrate

    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert head == migrate.HEAD
    terminal.close()
    probe = ("import sys; from device.terminal import Terminal; "
             f"Terminal.open({str(db_path)!r}).close(); "
             "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "False"


def test_alembic_cli_upgrades_a_fresh_file(tmp_path) -> None:
    import subprocess
    import sys

    path = tmp_path / "fresh.sqlite"
    subprocess.run([sys.executable, "-m", "alembic", "-x", f"db={path}", "upgrade", "head"],
                   cwd=REPO, check=True, capture_output=True)
    with sqlite3.connect(path) as raw:
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {"events_no_update", "events_no_delete"} <= names


def test_clock_survives_restart(terminal, db_path) -> None:
    terminal.store.append(_punches(1), now=4_000_000_000.0)  # a clock far in the future
    terminal.close()
    again = Terminal.open(db_path)
    (event,) = again.store.append(_punches(1), now=1_000_000_000.0)
    first = again.store.read()[0]
    again.close()
    assert event.hlc > first.hlc


def test_a_projection_added_later_catches_up_at_open(terminal, db_path) -> None:
    terminal.store.append(_punches(4))
    terminal.close()
    with sqlite3.connect(db_path) as raw:  # as if "punches" were new in this version
        raw.execute("DELETE FROM punches")
        raw.execute("DELETE FROM projection_positions WHERE name = 'punches'")
    again = Terminal.open(db_path)
    assert len(again.punches()) == 4
    assert again.verify().ok
    again.close()
