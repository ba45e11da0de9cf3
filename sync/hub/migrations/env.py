"""Alembic environment for the hub database (SQLite or PostgreSQL).

The hub runs it at every open (`open_hub_engine` in sync/hub/store.py) on a connection it
has locked: a transaction holding SQLite's write lock, or a PostgreSQL transaction holding
an advisory lock, so two hubs starting at once migrate one after the other. There is no
alembic.ini for it: any hub command (`run_sync.py hub --db URL`) migrates its database.
"""

from __future__ import annotations

from alembic import context

from sync.hub.migrations import VERSION_TABLE
from sync.hub.schema import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise SystemExit("alembic: the hub's migrations run from open_hub_engine "
                         "(sync/hub/store.py), on the connection it locked")
    context.configure(connection=connection, target_metadata=metadata,
                      version_table=VERSION_TABLE, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("alembic: the hub's migrations run online only")
run_migrations_online()
