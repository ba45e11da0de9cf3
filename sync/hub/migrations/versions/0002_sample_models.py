"""The hub keeps face samples per model: a door takes only the model it runs.

Samples from before this revision are dlib's 128-d encodings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LEGACY_MODEL = "dlib-resnet-v1"  # device.recognition.face_models.LEGACY_MODEL, frozen here


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("hub_samples")}
    if "model" in columns:  # adopted from `create_all` with today's definitions (0001)
        return
    with op.batch_alter_table("hub_samples") as batch:
        batch.add_column(sa.Column("model", sa.Text, nullable=False,
                                   server_default=LEGACY_MODEL))


def downgrade() -> None:
    with op.batch_alter_table("hub_samples") as batch:
        batch.drop_column("model")
