"""The hub's schema is Alembic's (sync/hub/migrations): what the migrations make is what
sync/hub/schema.py declares, on SQLite and on PostgreSQL, and hubs starting at once on
one database both come up."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from device.errors import DatabaseError
from sync.hub import migrations
from sync.hub.schema import metadata
from sync.hub.store import HubStore, hub_alembic_config, hub_revision, open_hub_engine
from tests.support.postgres import pg_schema

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema() as url:
        yield url


def schema_differences(engine: sa.Engine) -> list:
    """What Alembic's autogenerate would change to make the database match schema.py."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as c:
        context = MigrationContext.configure(c, opts={
            "compare_type": True, "compare_server_default": True,
            "version_table": migrations.VERSION_TABLE})
        return compare_metadata(context, metadata)


def revision_rows(engine: sa.Engine) -> list[str]:
    with engine.connect() as c:
        return list(c.execute(sa.text("SELECT version_num FROM hub_alembic_version"))
                    .scalars())


def test_migrations_on_an_empty_sqlite_database_match_the_schema(tmp_path) -> None:
    engine = open_hub_engine(str(tmp_path / "hub.sqlite"))
    try:
        assert schema_differences(engine) == []
        assert revision_rows(engine) == [migrations.HEAD]
        with engine.connect() as c:
            tables = set(sa.inspect(c).get_table_names())
            assert "alembic_version" not in tables  # the device's name stays free
            unique = sa.inspect(c).get_unique_constraints("hub_events")
        assert migrations.VERSION_TABLE == "hub_alembic_version"
        assert tables == set(metadata.tables) | {migrations.VERSION_TABLE}
        assert [u["column_names"] for u in unique] == [["device_id", "incarnation", "seq"]]
    finally:
        engine.dispose()


def test_migrations_on_an_empty_postgresql_schema_match_the_schema(pg_url) -> None:
    engine = open_hub_engine(pg_url)
    try:
        assert schema_differences(engine) == []
        assert revision_rows(engine) == [migrations.HEAD]
        with engine.connect() as c:
            assert set(sa.inspect(c).get_table_names()) == (set(metadata.tables)
                                                           | {migrations.VERSION_TABLE})
    finally:
        engine.dispose()


def test_head_constant_is_alembic_head_and_a_current_database_skips_alembic(tmp_path) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(hub_alembic_config())
    assert script.get_current_head() == migrations.HEAD
    assert {r.revision for r in script.walk_revisions()} >= {migrations.HEAD}
    path = tmp_path / "hub.sqlite"
    open_hub_engine(str(path)).dispose()
    probe = ("import sys; from sync.hub.store import HubStore, open_hub_engine; "
             f"HubStore(open_hub_engine({str(path)!r}, create=False)); "
             "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "False"


def test_two_hubs_opening_one_fresh_postgresql_schema_at_once_both_come_up() -> None:
    for _ in range(3):  # three fresh schemas: three chances for the race
        with pg_schema() as url:
            ids, errors = open_at_once(url, 2)
            assert errors == []
            assert len(ids) == 2 and len(set(ids)) == 1  # one database, one hub id
            engine = open_hub_engine(url)
            assert revision_rows(engine) == [migrations.HEAD]
            engine.dispose()


@pytest.mark.slow
def test_two_hub_processes_opening_one_fresh_postgresql_schema_at_once_both_come_up() -> None:
    """The advisory lock, between processes: each waits for one start time, then opens."""
    for _ in range(2):
        with pg_schema() as url:
            start = time.time() + 3.0  # after both have imported the hub
            probe = ("import sys, time; from sync.hub.store import HubStore, open_hub_engine; "
                     f"time.sleep(max(0.0, {start!r} - time.time())); "
                     f"print(HubStore(open_hub_engine({url!r})).hub_db)")
            hubs = [subprocess.Popen([sys.executable, "-c", probe], cwd=REPO, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    for _ in range(2)]
            results = [hub.communicate(timeout=60) for hub in hubs]
            assert [hub.returncode for hub in hubs] == [0, 0], [err for _, err in results]
            assert len({out.strip() for out, _ in results}) == 1


def test_two_hubs_opening_one_new_sqlite_file_at_once_both_come_up(tmp_path) -> None:
    path = str(tmp_path / "hub.sqlite")
    ids, errors = open_at_once(path, 2)
    assert errors == []
    assert len(ids) == 2 and len(set(ids)) == 1
    engine = open_hub_engine(path)
    assert revision_rows(engine) == [migrations.HEAD]
    engine.dispose()


def open_at_once(url: str, n: int) -> tuple[list[str], list[BaseException]]:
    start = threading.Barrier(n)
    ids: list[str] = []
    errors: list[BaseException] = []

    def hub() -> None:
        try:
            start.wait()
            engine = open_hub_engine(url)
            ids.append(HubStore(engine).hub_db)
            engine.dispose()
        except BaseException as e:  # reported by the test
            errors.append(e)

    threads = [threading.Thread(target=hub) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return ids, errors


def test_a_hub_database_from_a_newer_schema_is_refused_in_one_line(tmp_path) -> None:
    path = tmp_path / "hub.sqlite"
    open_hub_engine(str(path)).dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE hub_alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="newer than this FaceGate") as refused:
        open_hub_engine(str(path))
    assert "\n" not in str(refused.value) and "9999" in str(refused.value)


def test_a_postgresql_hub_database_from_a_newer_schema_is_refused(pg_url) -> None:
    open_hub_engine(pg_url).dispose()
    engine = sa.create_engine(pg_url)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE hub_alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="newer than this FaceGate"):
        open_hub_engine(pg_url)


def test_a_hub_database_made_before_migrations_is_adopted(tmp_path) -> None:
    """A database made by create_all before hub_aliases existed: kept, completed."""
    path = tmp_path / "hub.sqlite"
    old = sa.create_engine(f"sqlite:///{path}")
    metadata.create_all(old, tables=[t for name, t in metadata.tables.items()
                                     if name != "hub_aliases"])
    with old.begin() as c:
        c.execute(sa.text("INSERT INTO hub_meta VALUES ('hub_db', 'feedc0de'), "
                          "('schema', '2')"))
        c.execute(sa.text("INSERT INTO hub_counters VALUES ('library', 7)"))
    old.dispose()
    engine = open_hub_engine(str(path), create=False)
    try:
        assert HubStore(engine).hub_db == "feedc0de"
        assert schema_differences(engine) == []
        assert revision_rows(engine) == [migrations.HEAD]
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT value FROM hub_counters")).scalar() == 7
    finally:
        engine.dispose()


def test_a_pre_incarnation_hub_database_is_still_refused_and_left_alone(tmp_path) -> None:
    path = tmp_path / "hub.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE hub_events (id INTEGER PRIMARY KEY, device_id TEXT, "
                    "seq INTEGER)")
    with pytest.raises(DatabaseError, match="predates log instances"):
        open_hub_engine(str(path))
    with sqlite3.connect(path) as raw:
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"hub_events"}


def test_a_missing_sqlite_file_is_refused_not_made_for_read_commands(tmp_path) -> None:
    path = tmp_path / "typo.sqlite"
    with pytest.raises(DatabaseError, match="no such hub database"):
        open_hub_engine(str(path), create=False)
    assert not path.exists()


def test_hub_revision_of_a_new_database_is_none(tmp_path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with engine.connect() as c:
        assert hub_revision(c) is None
    engine.dispose()
