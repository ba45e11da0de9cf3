"""Hub tables (SQLite by default, PostgreSQL for fleets). Alembic migrations
(sync/hub/migrations/versions) create them; `open_hub_engine` applies them at every open.

A device's events are kept per log instance (`incarnation`): a door replaced under the
same id, or restored from a backup, is a new instance and never merged with the old one.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

hub_events = sa.Table(
    "hub_events", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("device_id", sa.Text, nullable=False),
    sa.Column("incarnation", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("wall_time", sa.Float, nullable=False),
    sa.Column("hlc", sa.BigInteger, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
    # Where the event sits in the door's hash chain (checked on arrival): the anchors.
    sa.Column("position", sa.BigInteger, nullable=True),
    sa.Column("prev_hash", sa.LargeBinary, nullable=True),
    sa.Column("hash", sa.LargeBinary, nullable=True),
    sa.Column("sealed_digest", sa.LargeBinary, nullable=True),
    # One row per device event, however often it is delivered and by whichever hub.
    sa.UniqueConstraint("device_id", "incarnation", "seq", name="uq_hub_events_device_seq"),
)

#: Events a device sent that the hub refused (by sequence, with the reason it was told).
hub_rejected = sa.Table(
    "hub_rejected", metadata,
    sa.Column("device_id", sa.Text, primary_key=True),
    sa.Column("incarnation", sa.Text, primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
)

#: Events a newer log instance sent again that the hub holds already under an earlier one
#: (same sequence, same chain hash: the same event with the same history): counted as
#: stored for the new instance, stored once.
hub_aliases = sa.Table(
    "hub_aliases", metadata,
    sa.Column("device_id", sa.Text, primary_key=True),
    sa.Column("incarnation", sa.Text, primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("same_as", sa.Text, nullable=False),  # the incarnation that holds it
)

#: Each instance of each device's log: how far it is stored without a gap.
hub_logs = sa.Table(
    "hub_logs", metadata,
    sa.Column("device_id", sa.Text, primary_key=True),
    sa.Column("incarnation", sa.Text, primary_key=True),
    sa.Column("base", sa.BigInteger, nullable=False),  # sequences the door no longer held
    sa.Column("stored_upto", sa.BigInteger, nullable=False),
    sa.Column("first_seen", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

#: Facts about this hub database: its id (a new or emptied database is a new id).
hub_meta = sa.Table(
    "hub_meta", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
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
    sa.Column("incarnation", sa.Text, nullable=True),  # the log instance now reporting
    sa.Column("device_name", sa.Text, nullable=True),
    sa.Column("rejected_events", sa.BigInteger, nullable=True),
    sa.Column("head_position", sa.BigInteger, nullable=True),
    sa.Column("head_seq", sa.BigInteger, nullable=True),
    sa.Column("head_hash", sa.Text, nullable=True),
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
    # device.recognition.face_models: doors match only samples of the model they run
    sa.Column("model", sa.Text, nullable=False, server_default="dlib-resnet-v1"),
)
