"""The device's schema is Alembic's (alembic/versions): what the migrations make on an empty
SQLite file is what the code's table definitions declare.

The HEAD constant of device/storage/migrate.py is kept in step by
tests/device/test_event_log_storage.py (test_head_constant_is_alembic_head_...)."""

from __future__ import annotations

import sqlalchemy as sa

from device.notify.state import metadata as notify_metadata
from device.storage import migrate
from device.storage.api_tables import metadata as api_metadata
from device.storage.db import open_engine
from device.storage.schema import metadata as log_metadata

#: Every MetaData that declares tables of the device database.
DEVICE_METADATA = (log_metadata, api_metadata, notify_metadata)

#: Differences between migrations and table definitions (none).
KNOWN_DRIFT: set[tuple[str, str]] = set()


def _name(diff: tuple) -> tuple[str, str]:
    kind, obj = diff[0], diff[1]
    return kind, getattr(obj, "name", repr(obj))


def schema_differences(engine: sa.Engine) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as c:
        context = MigrationContext.configure(
            c, opts={"compare_type": True, "compare_server_default": True})
        # alembic compares a list of MetaData too (AutogenContext); its annotation names one.
        return compare_metadata(context, list(DEVICE_METADATA))  # type: ignore[arg-type]


def test_migrations_on_an_empty_database_match_the_table_definitions(tmp_path) -> None:
    engine = open_engine(tmp_path / "device.sqlite")
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.HEAD
        differences = schema_differences(engine)
        # Column changes come as lists of tuples; everything else as one tuple.
        assert all(isinstance(d, tuple) for d in differences), differences
        assert {_name(d) for d in differences} == KNOWN_DRIFT, differences
        with engine.connect() as c:
            tables = set(sa.inspect(c).get_table_names())
        declared = set().union(*(m.tables for m in DEVICE_METADATA))
        assert tables == declared | {"alembic_version"}
    finally:
        engine.dispose()
