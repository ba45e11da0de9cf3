"""Hub tables (SQLite by default, PostgreSQL for fleets). Created with create_all."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

hub_events = sa.Table(
    "hub_events", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("device_id", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("wall_time", sa.Float, nullable=False),
    sa.Column("hlc", sa.BigInteger, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
    # One row per device event, however often it is delivered and by whichever hub.
    sa.UniqueConstraint("device_id", "seq", name="uq_hub_events_device_seq"),
)
sa.Index("ix_hub_events_type_time", hub_events.c.type, hub_events.c.wall_time)

hub_devices = sa.Table(
    "hub_devices", metadata,
    sa.Column("device_id", sa.Text, primary_key=True),
    sa.Column("stored_upto", sa.BigInteger, nullable=False, default=0),
    sa.Column("state", sa.Text, nullable=False, default="unknown"),
    sa.Column("session", sa.BigInteger, nullable=False, default=0),
    sa.Column("last_seen", sa.Float, nullable=True),
    sa.Column("version", sa.Text, nullable=True),
    sa.Column("library_version", sa.BigInteger, nullable=True),
    sa.Column("checksum", sa.Text, nullable=True),
    sa.Column("queue_depth", sa.BigInteger, nullable=True),
    sa.Column("people", sa.BigInteger, nullable=True),
)

hub_counters = sa.Table(
    "hub_counters", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

hub_library = sa.Table(
    "hub_library", metadata,
    sa.Column("hub_seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("person_id", sa.Text, nullable=False, index=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("encoding", sa.LargeBinary, nullable=True),  # nulled when the person is removed
    sa.Column("crop", sa.LargeBinary, nullable=True),
    sa.Column("wall_time", sa.Float, nullable=False),
    sa.Column("source_device", sa.Text, nullable=True),
    sa.Column("source_seq", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("source_device", "source_seq", name="uq_hub_library_source"),
)

hub_people = sa.Table(
    "hub_people", metadata,
    sa.Column("person_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text, nullable=True),
    sa.Column("mail", sa.Text, nullable=True),
    sa.Column("updated_at", sa.Float, nullable=False),
)

hub_samples = sa.Table(
    "hub_samples", metadata,
    sa.Column("sample_id", sa.Text, primary_key=True),
    sa.Column("person_id", sa.Text, nullable=False, index=True),
    sa.Column("hub_seq", sa.BigInteger, nullable=False),
)
