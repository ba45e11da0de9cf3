"""Opening a device database: migrate it, learn (or mint) the device id, build the recorder."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from device.errors import DatabaseError
from device.eventlog.sqlite import SqliteRecorder
from device.storage import migrate
from device.storage.db import open_engine, translate_errors, write_transaction
from device.storage.schema import device_meta

SQLITE_MAGIC = b"SQLite format 3\x00"


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
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = open_engine(path)
    try:
        migrate.upgrade(engine)
        stored_id = _ensure_device_id(engine, device_id or os.environ.get("FACEGATE_DEVICE_ID"))
    except Exception:
        engine.dispose()
        raise
    return Database(path, engine, stored_id, SqliteRecorder(engine, stored_id))


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


__all__ = ["Database", "open_database"]
