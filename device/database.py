"""Opening a device database: migrate it, learn (or mint) the device id, build the recorder."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from device.errors import DatabaseError
from device.eventlog.sqlite import SqliteRecorder
from device.storage import migrate
from device.storage.db import (
    BUSY_TIMEOUT_S,
    checkpoint_wal,
    open_engine,
    translate_errors,
    write_transaction,
)
from device.storage.schema import device_meta
from device.storage.schema import metadata as core_schema

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Either marks a FaceGate database; a SQLite file with tables but neither is another
#: program's, and is never extended with ours.
FACEGATE_MARKERS = frozenset({"alembic_version", "device_meta"})


@dataclass
class Database:
    path: Path
    engine: sa.Engine
    device_id: str
    recorder: SqliteRecorder

    def close(self) -> None:
        self.engine.dispose()


def open_database(path: str | Path, device_id: str | None = None) -> Database:
    """Open (creating if needed) the device database at `path`, at the newest schema."""
    path = Path(path)
    _check_is_sqlite(path)
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatabaseError(f"cannot create the folder of {path}: "
                                f"{e.strerror or e}") from e
    _refuse_foreign(path)
    engine = open_engine(path)
    try:
        with storage_errors(path):
            migrate.upgrade(engine)
            _check_tables(engine, path)
            stored_id = _ensure_device_id(engine,
                                          device_id or os.environ.get("FACEGATE_DEVICE_ID"))
        # A process killed between an erasure and its WAL checkpoint left the old pages in
        # the WAL: every open finishes that (without waiting for another process's reader).
        checkpoint_wal(engine)
    except Exception:
        engine.dispose()
        raise
    return Database(path, engine, stored_id, SqliteRecorder(engine, stored_id))


def describe_storage_error(error: BaseException, path: str | Path | None = None) -> str:
    """One line for a driver or file-system error: what is wrong, and that nothing was
    written (SQLite rolls the transaction back)."""
    where = f" {path}" if path is not None else ""
    original = getattr(error, "orig", None) or error
    text = " ".join(str(original).split()) or type(original).__name__
    lowered = text.lower()
    if isinstance(original, OSError) and not isinstance(original, sqlite3.Error):
        name = f" {original.filename}" if original.filename else ""
        return f"cannot use{name or where}: {original.strerror or text}"
    if "database or disk is full" in lowered or "disk i/o error" in lowered:
        return (f"cannot write the database{where}: {text} (is the disk full?); "
                "nothing was written")
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database{where} is read-only: {text}; nothing was written"
    if "unable to open database file" in lowered:
        return (f"cannot open the database{where}: {text} (are the file and its folder "
                "writable?)")
    if "no such table" in lowered or "no such column" in lowered:
        return f"the database{where} is damaged ({text}); restore a backup"
    if "locked" in lowered or "busy" in lowered:
        return f"the database{where} is busy ({text}); try again"
    return f"the database{where} failed: {text}"


@contextlib.contextmanager
def storage_errors(path: str | Path | None = None) -> Iterator[None]:
    """Driver and file-system errors become a DatabaseError in one line."""
    try:
        yield
    except DatabaseError:
        raise
    except (sa.exc.OperationalError, sa.exc.DatabaseError, sqlite3.OperationalError,
            sqlite3.DatabaseError, OSError) as e:
        if isinstance(getattr(e, "orig", e), sqlite3.IntegrityError):
            raise
        raise DatabaseError(describe_storage_error(e, path)) from e


def _table_names(engine: sa.Engine) -> set[str]:
    with translate_errors(), engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows if not row[0].startswith("sqlite_")}


def _refuse_foreign(path: Path) -> None:
    """An empty file becomes a FaceGate database; another program's database is left alone
    (looked at read-only, before the engine would switch it to WAL)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)) as c:
            tables = {row[0] for row in c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")
                if not row[0].startswith("sqlite_")}
    except sqlite3.Error:
        return  # not readable this way (e.g. WAL on a read-only folder): the open says why
    if tables and not tables & FACEGATE_MARKERS:
        shown = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
        raise DatabaseError(f"{path} is a SQLite database of another program (tables "
                            f"{shown}), not a FaceGate database; choose another --db file")


def _check_tables(engine: sa.Engine, path: Path) -> None:
    missing = sorted(set(core_schema.tables) - _table_names(engine))
    if missing:
        raise DatabaseError(f"the database {path} is damaged: table {missing[0]} is missing"
                            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                            + "; restore a backup")


def _check_is_sqlite(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as f:
            magic = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise DatabaseError(f"cannot read the database file {path}: {e.strerror}") from e
    if magic != SQLITE_MAGIC:
        raise DatabaseError(f"{path} is not a SQLite database")


def _ensure_device_id(engine: sa.Engine, wanted: str | None) -> str:
    with translate_errors(), write_transaction(engine) as connection:
        stored = connection.execute(
            sa.select(device_meta.c.value).where(device_meta.c.key == "device_id")
        ).scalar()
        if stored is not None:
            return stored
        new_id = wanted or f"door-{secrets.token_hex(4)}"
        connection.execute(device_meta.insert().values(key="device_id", value=new_id))
        return new_id


__all__ = ["Database", "describe_storage_error", "open_database", "storage_errors"]
