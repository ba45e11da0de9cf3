"""The hub's tables: device events per log instance, refusals, aliases, logs, the registry,
the library stream and its people and samples.

A hub database made before the hub had migrations (its tables made by `create_all`
from the same definitions as here) is adopted: a table it has already is kept as it is,
only the missing ones are made (one from before hub_aliases gets hub_aliases).
`open_hub_engine` refuses the older layout without log instances (hub_events but no
hub_meta) before this runs.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    "hub_events", "hub_rejected", "hub_aliases", "hub_logs", "hub_meta", "hub_devices",
    "hub_counters", "hub_library", "hub_people", "hub_samples",
)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "hub_events" not in existing:
        op.create_table(
            "hub_events",
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                      primary_key=True, autoincrement=True),
            sa.Column("device_id", sa.Text, nullable=False),
            sa.Column("incarnation", sa.Text, nullable=False),
            sa.Column("seq", sa.BigInteger, nullable=False),
            sa.Column("type", sa.Text, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("wall_time", sa.Float, nullable=False),
            sa.Column("hlc", sa.BigInteger, nullable=False),
            sa.Column("payload", sa.Text, nullable=False),
            sa.Column("received_at", sa.Float, nullable=False),
            sa.Column("position", sa.BigInteger, nullable=True),
            sa.Column("prev_hash", sa.LargeBinary, nullable=True),
            sa.Column("hash", sa.LargeBinary, nullable=True),
            sa.Column("sealed_digest", sa.LargeBinary, nullable=True),
            sa.UniqueConstraint("device_id", "incarnation", "seq",
                                name="uq_hub_events_device_seq"),
        )
        op.create_index("ix_hub_events_type_time", "hub_events", ["type", "wall_time"])
    if "hub_rejected" not in existing:
        op.create_table(
            "hub_rejected",
            sa.Column("device_id", sa.Text, primary_key=True),
            sa.Column("incarnation", sa.Text, primary_key=True),
            sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("received_at", sa.Float, nullable=False),
        )
    if "hub_aliases" not in existing:
        op.create_table(
            "hub_aliases",
            sa.Column("device_id", sa.Text, primary_key=True),
            sa.Column("incarnation", sa.Text, primary_key=True),
            sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("same_as", sa.Text, nullable=False),
        )
    if "hub_logs" not in existing:
        op.create_table(
            "hub_logs",
            sa.Column("device_id", sa.Text, primary_key=True),
            sa.Column("incarnation", sa.Text, primary_key=True),
            sa.Column("base", sa.BigInteger, nullable=False),
            sa.Column("stored_upto", sa.BigInteger, nullable=False),
            sa.Column("first_seen", sa.Float, nullable=False),
            sa.Column("last_seen", sa.Float, nullable=False),
        )
    if "hub_meta" not in existing:
        op.create_table(
            "hub_meta",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
        )
    if "hub_devices" not in existing:
        op.create_table(
            "hub_devices",
            sa.Column("device_id", sa.Text, primary_key=True),
            sa.Column("stored_upto", sa.BigInteger, nullable=False),
            sa.Column("state", sa.Text, nullable=False),
            sa.Column("session", sa.BigInteger, nullable=False),
            sa.Column("last_seen", sa.Float, nullable=True),
            sa.Column("version", sa.Text, nullable=True),
            sa.Column("library_version", sa.BigInteger, nullable=True),
            sa.Column("checksum", sa.Text, nullable=True),
            sa.Column("queue_depth", sa.BigInteger, nullable=True),
            sa.Column("people", sa.BigInteger, nullable=True),
            sa.Column("incarnation", sa.Text, nullable=True),
            sa.Column("device_name", sa.Text, nullable=True),
            sa.Column("rejected_events", sa.BigInteger, nullable=True),
            sa.Column("head_position", sa.BigInteger, nullable=True),
            sa.Column("head_seq", sa.BigInteger, nullable=True),
            sa.Column("head_hash", sa.Text, nullable=True),
        )
    if "hub_counters" not in existing:
        op.create_table(
            "hub_counters",
            sa.Column("name", sa.Text, primary_key=True),
            sa.Column("value", sa.BigInteger, nullable=False),
        )
    if "hub_library" not in existing:
        op.create_table(
            "hub_library",
            sa.Column("hub_seq", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("type", sa.Text, nullable=False),
            sa.Column("person_id", sa.Text, nullable=False),
            sa.Column("payload", sa.Text, nullable=False),
            sa.Column("encoding", sa.LargeBinary, nullable=True),
            sa.Column("crop", sa.LargeBinary, nullable=True),
            sa.Column("wall_time", sa.Float, nullable=False),
            sa.Column("source_device", sa.Text, nullable=True),
            sa.Column("source_seq", sa.BigInteger, nullable=True),
            sa.UniqueConstraint("source_device", "source_seq", name="uq_hub_library_source"),
        )
        op.create_index("ix_hub_library_person_id", "hub_library", ["person_id"])
    if "hub_people" not in existing:
        op.create_table(
            "hub_people",
            sa.Column("person_id", sa.Text, primary_key=True),
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("phone", sa.Text, nullable=True),
            sa.Column("mail", sa.Text, nullable=True),
            sa.Column("updated_at", sa.Float, nullable=False),
        )
    if "hub_samples" not in existing:
        op.create_table(
            "hub_samples",
            sa.Column("sample_id", sa.Text, primary_key=True),
            sa.Column("person_id", sa.Text, nullable=False),
            sa.Column("hub_seq", sa.BigInteger, nullable=False),
        )
        op.create_index("ix_hub_samples_person_id", "hub_samples", ["person_id"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
