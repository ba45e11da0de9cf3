"""Bring a device database to the newest schema at start (Alembic, batch mode).

Alembic is imported only when the database is not at HEAD already: on a door that starts
on a current database it would be ~10 MB resident for nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from device.errors import DatabaseError
from device.storage.db import translate_errors

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]
HEAD = "0004"  # the newest revision in alembic/versions (a test keeps the two in step)


def current_revision(engine: sa.Engine) -> str | None:
    """The database's schema revision, None for a new (empty) database."""
    with translate_errors(), engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    return config


def upgrade(engine: sa.Engine) -> None:
    """Apply pending migrations; refuse a database written by a newer FaceGate."""
    if current_revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    with translate_errors(), engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        raise DatabaseError(
            f"the database has schema revision {current}, newer than this FaceGate "
            f"knows (head {head}); upgrade the software"
        )
    with translate_errors(), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
