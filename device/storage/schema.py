"""Tables of the device database. Alembic migrations (alembic/versions) create them.

`events` is append-only (triggers refuse UPDATE, and DELETE of anything a checkpoint
does not cover); every other table is a projection of the log or local state.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

device_meta = sa.Table(
    "device_meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
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
sa.Index("ix_events_hlc", events.c.hlc)
sa.Index("ix_events_type_position", events.c.type, events.c.position)

checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary, nullable=False),
    sa.Column("hlc", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("sequences", sa.Text, nullable=False),
    sa.Column("carried", sa.Text, nullable=False),
    sa.Column("carried_sealed", sa.LargeBinary, nullable=False),
    sa.Column("state_hash", sa.LargeBinary, nullable=False),
)

subject_keys = sa.Table(
    "subject_keys",
    metadata,
    sa.Column("key_id", sa.Text, primary_key=True),
    sa.Column("key", sa.LargeBinary, nullable=False),
)

projection_positions = sa.Table(
    "projection_positions",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

people = sa.Table(
    "people",
    metadata,
    sa.Column("person_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text, nullable=True),
    sa.Column("mail", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

face_samples = sa.Table(
    "face_samples",
    metadata,
    sa.Column("sample_id", sa.Text, primary_key=True),
    sa.Column("person_id", sa.Text, nullable=False, index=True),
    sa.Column("encoding", sa.LargeBinary, nullable=False),
    sa.Column("quality", sa.Float, nullable=False),
    sa.Column("added_at", sa.Float, nullable=False),
    sa.Column("position", sa.Integer, nullable=False, index=True),
    # device.recognition.face_models: which model made the encoding (its dimension too)
    sa.Column("model", sa.Text, nullable=False, index=True,
              server_default="dlib-resnet-v1"),
    sa.Column("derived_from", sa.Text, nullable=True),  # re-encoded from that sample's crop
    sa.Column("photo_digest", sa.Text, nullable=True, index=True),  # the same photo twice
    sa.Column("gates", sa.Text, nullable=True),  # JSON: each enrolment gate's score
)

punches = sa.Table(
    "punches",
    metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("origin", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("person_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("distance", sa.Float, nullable=True),
)
sa.Index("ix_punches_time", punches.c.time)
sa.Index("ix_punches_person_time", punches.c.person_id, punches.c.time)

access_decisions = sa.Table(
    "access_decisions",
    metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("time", sa.Float, nullable=False, index=True),
    sa.Column("person_id", sa.Text, nullable=True),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("distance", sa.Float, nullable=True),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("alert_id", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("time", sa.Float, nullable=False, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("person_id", sa.Text, nullable=True),
    sa.Column("snapshot_key", sa.Text, nullable=True),
    sa.Column("handled", sa.Boolean, nullable=False, default=False),
)

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

sync_state = sa.Table(
    "sync_state",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)

# -- time attendance (device/projections/timekeeping.py) ------------------------------------

#: Every definition of every shift, oldest first: reports use the one in force on each day.
shift_definitions = sa.Table(
    "shift_definitions",
    metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text, nullable=False, index=True),
    sa.Column("payload", sa.Text, nullable=False),  # the ShiftDefined payload (JSON)
    sa.Column("defined_at", sa.Float, nullable=False),
)

shift_assignments = sa.Table(
    "shift_assignments",
    metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("payload", sa.Text, nullable=False),  # the ShiftAssigned payload (JSON)
    sa.Column("assigned_at", sa.Float, nullable=False),
)

#: Punches an admin added (kind "added": time, status) or voided (kind "voided": the target).
punch_corrections = sa.Table(
    "punch_corrections",
    metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("origin", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("person_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("time", sa.Float, nullable=True),  # added: when the punch was
    sa.Column("status", sa.Text, nullable=True),
    sa.Column("target_origin", sa.Text, nullable=True),  # voided: which punch
    sa.Column("target_seq", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("by", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.Float, nullable=False),
)
sa.Index("ix_punch_corrections_time", punch_corrections.c.time)
sa.Index("ix_punch_corrections_target", punch_corrections.c.target_origin,
         punch_corrections.c.target_seq)

PROJECTION_TABLES = (people, face_samples, punches, access_decisions, alerts, settings,
                     shift_definitions, shift_assignments, punch_corrections)
