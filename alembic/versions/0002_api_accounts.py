"""Local HTTP API accounts, login tokens and audit trail; the alert mailer's position.

Local state of this device, not projections of the event log: they are never synced and
`verify` does not rebuild them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_accounts",
        sa.Column("username", sa.Text, primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.CheckConstraint("role IN ('admin', 'viewer')", name="ck_api_accounts_role"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.Text, primary_key=True),  # SHA-256 of the token
        sa.Column("username", sa.Text,
                  sa.ForeignKey("api_accounts.username", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_api_tokens_expires_at", "api_tokens", ["expires_at"])
    op.create_table(
        "api_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("time", sa.Float, nullable=False),
        sa.Column("username", sa.Text, nullable=True),
        sa.Column("remote_addr", sa.Text, nullable=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),  # JSON
    )
    op.create_index("ix_api_audit_time", "api_audit", ["time"])
    op.create_table(
        "notify_state",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),  # last AlertRaised event handled
        sa.Column("pending_after", sa.Integer, nullable=True),  # digest owed for events after
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("notify_state", "api_audit", "api_tokens", "api_accounts"):
        op.drop_table(table)
