"""Time-attendance rules and corrections at the door (issue 15): shift definitions, shift
assignments and punch corrections.

All three are projections of the log (ShiftDefined, ShiftAssigned, PunchAdded,
PunchVoided): the store builds them from the existing events at the first start after this
revision (EventStore.catch_up).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shift_definitions",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("defined_at", sa.Float, nullable=False),
    )
    op.create_index("ix_shift_definitions_name", "shift_definitions", ["name"])
    op.create_table(
        "shift_assignments",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("assigned_at", sa.Float, nullable=False),
    )
    op.create_table(
        "punch_corrections",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("person_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("time", sa.Float, nullable=True),
        sa.Column("status", sa.Text, nullable=True),
        sa.Column("target_origin", sa.Text, nullable=True),
        sa.Column("target_seq", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
    )
    op.create_index("ix_punch_corrections_time", "punch_corrections", ["time"])
    op.create_index("ix_punch_corrections_target", "punch_corrections",
                    ["target_origin", "target_seq"])


def downgrade() -> None:
    op.drop_index("ix_punch_corrections_target", "punch_corrections")
    op.drop_index("ix_punch_corrections_time", "punch_corrections")
    op.drop_table("punch_corrections")
    op.drop_table("shift_assignments")
    op.drop_index("ix_shift_definitions_name", "shift_definitions")
    op.drop_table("shift_definitions")
