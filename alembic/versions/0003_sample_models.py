"""Face samples name their model: the matcher compares like with like.

Samples projected before this revision are dlib's 128-d encodings (FaceSampleAdded v1).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LEGACY_MODEL = "dlib-resnet-v1"  # device.recognition.face_models.LEGACY_MODEL, frozen here
#: device_meta key: this log held face samples before samples named their model, so its
#: library is dlib's (device/library/engine_switch.py pin_existing_engine reads it).
LEGACY_ENGINE_KEY = "engine_of_legacy_library"


def upgrade() -> None:
    bind = op.get_bind()
    legacy = bind.execute(sa.text(
        "SELECT 1 FROM events WHERE type = 'FaceSampleAdded' LIMIT 1")).first()
    if legacy is not None:
        bind.execute(sa.text("INSERT OR IGNORE INTO device_meta (key, value) "
                             "VALUES (:key, 'dlib')"), {"key": LEGACY_ENGINE_KEY})
    with op.batch_alter_table("face_samples") as batch:
        batch.add_column(sa.Column("model", sa.Text, nullable=False,
                                   server_default=LEGACY_MODEL))
        batch.add_column(sa.Column("derived_from", sa.Text, nullable=True))
        batch.add_column(sa.Column("photo_digest", sa.Text, nullable=True))
        batch.add_column(sa.Column("gates", sa.Text, nullable=True))  # JSON: gate -> score
    op.create_index("ix_face_samples_model", "face_samples", ["model"])
    op.create_index("ix_face_samples_photo_digest", "face_samples", ["photo_digest"])


def downgrade() -> None:
    op.drop_index("ix_face_samples_photo_digest", "face_samples")
    op.drop_index("ix_face_samples_model", "face_samples")
    with op.batch_alter_table("face_samples") as batch:
        batch.drop_column("gates")
        batch.drop_column("photo_digest")
        batch.drop_column("derived_from")
        batch.drop_column("model")
