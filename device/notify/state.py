"""The mailer's place in the log, kept in the database so a restart does not mail twice.

Table `notify_state` (alembic/versions/0002_api_accounts.py): `position` is the last
AlertRaised event dealt with; alerts after `pending_after` up to `position` were held back
by the rate limit and are owed in one digest mail.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert

from device.storage.db import read_transaction, write_transaction

metadata = sa.MetaData()

notify_state = sa.Table(
    "notify_state",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("pending_after", sa.Integer, nullable=True),
    sa.Column("updated_at", sa.Float, nullable=False),
)


@dataclass
class MailerState:
    position: int
    pending_after: int | None = None


def load_state(engine: sa.Engine, name: str) -> MailerState | None:
    with read_transaction(engine) as c:
        row = c.execute(sa.select(notify_state).where(notify_state.c.name == name)).first()
    return None if row is None else MailerState(row.position, row.pending_after)


def save_state(engine: sa.Engine, name: str, state: MailerState) -> None:
    values = {"position": state.position, "pending_after": state.pending_after,
              "updated_at": time.time()}
    with write_transaction(engine) as c:
        c.execute(insert(notify_state).values(name=name, **values)
                  .on_conflict_do_update(index_elements=[notify_state.c.name], set_=values))
