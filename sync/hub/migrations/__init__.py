"""The hub database's Alembic migrations: this folder is their script location.

`open_hub_engine` (sync/hub/store.py) applies them at every open. Only this module is
imported on a database at HEAD already: Alembic itself is imported when a migration is due.
"""

from __future__ import annotations

from pathlib import Path

LOCATION = Path(__file__).resolve().parent
#: The newest revision in versions/ (tests/sync/test_hub_migrations.py keeps the two in step).
HEAD = "0002"
#: The hub's own version table: a database shared with anything else keeps its
#: `alembic_version` (the device's name) untouched.
VERSION_TABLE = "hub_alembic_version"
