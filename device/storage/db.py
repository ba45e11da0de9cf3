"""The SQLite engine: WAL, synchronous=FULL, immediate write transactions, busy timeout.

The GUI and the sync agent append to the same file at once. Writers take the write lock
at BEGIN (BEGIN IMMEDIATE) and wait up to the busy timeout for it, so a transaction never
fails halfway with "database is locked"; readers use deferred transactions and WAL lets
them run beside a writer.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from device.errors import DatabaseError

BUSY_TIMEOUT_S = 30.0
_IMMEDIATE = "facegate_immediate"


def open_engine(path: str | Path) -> sa.Engine:
    """An engine on one device file; connections are kept open and reused between uses."""
    engine = sa.create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's begin event below issue BEGIN itself (pysqlite would not).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            enable_wal(cursor)
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Freed pages are zeroed: erased biometrics leave no bytes behind.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def enable_wal(cursor: sqlite3.Cursor, patience_s: float = BUSY_TIMEOUT_S) -> None:
    """Switch a connection's file to WAL. Two processes opening a new file at once: the
    switch answers "locked" at once (SQLite does not wait for it), so it is tried again;
    once the other has switched the file, it is a no-op."""
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    deadline = time.monotonic() + patience_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


@contextlib.contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that holds the write lock from its first statement."""
    with translate_errors(), engine.connect() as connection:
        connection = connection.execution_options(**{_IMMEDIATE: True})
        with connection.begin():
            yield connection


@contextlib.contextmanager
def read_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A consistent snapshot for reading; never blocks a writer in WAL mode."""
    with translate_errors(), engine.connect() as connection, connection.begin():
        yield connection


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Driver errors become one-line FaceGate errors at this edge."""
    try:
        yield
    except sa.exc.DatabaseError as e:
        original = getattr(e, "orig", None)
        if isinstance(original, sqlite3.DatabaseError) and not isinstance(
            original, sqlite3.IntegrityError
        ):
            message = str(original)
            if "file is not a database" in message:
                raise DatabaseError("the database file is not a SQLite database") from e
            if "malformed" in message:
                raise DatabaseError("the database file is corrupt: " + message) from e
        raise


def json_field(column: sa.ColumnElement, path: str) -> sa.ColumnElement:
    """`json_extract(column, path)`, NULL where the column is not valid JSON: an old log may
    hold a payload SQLite cannot parse (NaN), and one such row must not break a query."""
    return sa.case((sa.func.json_valid(column) == 1, sa.func.json_extract(column, path)),
                   else_=None)


def checkpoint_wal(engine: sa.Engine, patience_s: float = 0.0) -> bool:
    """Copy the WAL into the main file and truncate it; False if a reader held it back
    for longer than `patience_s` (after an erasure the main file must get the zeroed pages:
    until then it still holds the old ones)."""
    deadline = time.monotonic() + patience_s
    while True:
        with engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if row is not None and row[0] == 0:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


ERASURE_PATIENCE_S = 10.0
