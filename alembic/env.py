"""Alembic environment for the device database (SQLite, batch mode)."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from device.storage.db import open_engine
from device.storage.schema import metadata

config = context.config


def _database_path() -> str:
    path = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("FACEGATE_DB")
    if not path:
        raise SystemExit("alembic: say which device database: -x db=PATH (or FACEGATE_DB)")
    return path


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = open_engine(_database_path())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
