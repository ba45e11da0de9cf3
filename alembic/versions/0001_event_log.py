"""Event log, checkpoints, subject keys and the first projections.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The database itself refuses to rewrite history. DELETE is allowed only for events a
# checkpoint covers (retention compaction, see device/retention.py).
APPEND_ONLY_TRIGGERS = (
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       WHEN OLD.position > (SELECT COALESCE(MAX(position), 0) FROM checkpoints)
       BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END""",
    """CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
       BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
       BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE refused'); END""",
)


def upgrade() -> None:
    op.create_table(
        "device_meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("wall_time", sa.Float, nullable=False),
        sa.Column("hlc", sa.Integer, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=True),
        sa.Column("prev_hash", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("origin", "seq", name="uq_events_origin_seq"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_hlc", "events", ["hlc"])
    op.create_index("ix_events_type_position", "events", ["type", "position"])
    op.create_table(
        "checkpoints",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.Column("hlc", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("sequences", sa.Text, nullable=False),
        sa.Column("carried", sa.Text, nullable=False),
        sa.Column("carried_sealed", sa.LargeBinary, nullable=False),
        sa.Column("state_hash", sa.LargeBinary, nullable=False),
    )
    for statement in APPEND_ONLY_TRIGGERS:
        op.execute(statement)
    op.create_table(
        "subject_keys",
        sa.Column("key_id", sa.Text, primary_key=True),
        sa.Column("key", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "people",
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=True),
        sa.Column("mail", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "face_samples",
        sa.Column("sample_id", sa.Text, primary_key=True),
        sa.Column("person_id", sa.Text, nullable=False),
        sa.Column("encoding", sa.LargeBinary, nullable=False),
        sa.Column("quality", sa.Float, nullable=False),
        sa.Column("added_at", sa.Float, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_face_samples_person_id", "face_samples", ["person_id"])
    op.create_index("ix_face_samples_position", "face_samples", ["position"])
    op.create_table(
        "punches",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("person_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("time", sa.Float, nullable=False),
        sa.Column("distance", sa.Float, nullable=True),
    )
    op.create_index("ix_punches_time", "punches", ["time"])
    op.create_index("ix_punches_person_time", "punches", ["person_id", "time"])
    op.create_table(
        "access_decisions",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("time", sa.Float, nullable=False),
        sa.Column("person_id", sa.Text, nullable=True),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("distance", sa.Float, nullable=True),
    )
    op.create_index("ix_access_decisions_time", "access_decisions", ["time"])
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("time", sa.Float, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("person_id", sa.Text, nullable=True),
        sa.Column("snapshot_key", sa.Text, nullable=True),
        sa.Column("handled", sa.Boolean, nullable=False),
    )
    op.create_index("ix_alerts_time", "alerts", ["time"])
    op.create_table(
        "settings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "sync_state",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "sync_state", "settings", "alerts", "access_decisions", "punches", "face_samples",
        "people", "projection_positions", "subject_keys", "checkpoints", "events", "device_meta",
    ):
        op.drop_table(table)
