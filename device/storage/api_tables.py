"""Tables of the HTTP API's own (created by alembic/versions/0002_api_accounts.py).

Local state of this device, kept apart from the event log's metadata: never synced, never
rebuilt by `verify`.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

accounts = sa.Table(
    "api_accounts",
    metadata,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("username", sa.Text, sa.ForeignKey("api_accounts.username", ondelete="CASCADE"),
              nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)

audit = sa.Table(
    "api_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("username", sa.Text, nullable=True),
    sa.Column("remote_addr", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

sa.Index("ix_api_tokens_expires_at", tokens.c.expires_at)
sa.Index("ix_api_audit_time", audit.c.time)
