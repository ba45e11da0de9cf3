"""One way to follow the log: pull the events appended after a position, whichever process
appended them (eventsourcing's `Follower.pull_and_process`).

The library cache, the door service (fleet commands), the alert mailer and the screen's
change watcher each keep a `LogFollower`; the one that persists its place (the mailer)
stores `position` itself.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from device.eventlog.model import RecordedEvent
from device.eventlog.sqlite import row_to_event
from device.storage.db import read_transaction
from device.storage.schema import events

_COLUMNS = (events.c.position, events.c.origin, events.c.seq, events.c.type,
            events.c.version, events.c.wall_time, events.c.hlc, events.c.payload,
            events.c.sealed, events.c.prev_hash, events.c.hash)


def head_position(connection: sa.Connection, types: Collection[str] | None = None) -> int:
    """The newest position (of these types): a max over the rowid or over an index."""
    if types is None:
        return connection.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0
    # one probe per type: the (type, position) index answers each at once
    return max((connection.execute(sa.select(sa.func.max(events.c.position))
                                   .where(events.c.type == t)).scalar() or 0)
               for t in sorted(types))


class LogFollower:
    """Events of `types` (all when None) after `position`, in order, in batches."""

    def __init__(self, engine: sa.Engine, types: Collection[str] | None = None,
                 position: int | None = None) -> None:
        self.engine = engine
        self.types = None if types is None else sorted({str(t) for t in types})
        if position is None:  # from now on
            with read_transaction(engine) as c:
                position = head_position(c, self.types)
        self.position = position

    def newest(self) -> int:
        """The newest position of the followed types (cheap: for "anything new?")."""
        with read_transaction(self.engine) as c:
            return head_position(c, self.types)

    def has_new(self) -> bool:
        return self.newest() > self.position

    def pull(self, limit: int = 500, connection: sa.Connection | None = None
             ) -> list[RecordedEvent]:
        """The next events after `position` (at most `limit`); `position` moves past them.

        With `connection`, read inside the caller's transaction (one snapshot with other
        reads it makes)."""
        query = sa.select(*_COLUMNS).where(events.c.position > self.position)
        if self.types is not None:
            query = query.where(events.c.type.in_(self.types))
        query = query.order_by(events.c.position).limit(limit)
        if connection is not None:
            rows = connection.execute(query).all()
        else:
            with read_transaction(self.engine) as c:
                rows = c.execute(query).all()
        batch = [row_to_event(row) for row in rows]
        if batch:
            self.position = batch[-1].position
        return batch

    def pull_all(self, batch: int = 500) -> list[RecordedEvent]:
        """Everything new, however much (callers that keep up use `pull`)."""
        out: list[RecordedEvent] = []
        while True:
            chunk = self.pull(batch)
            out.extend(chunk)
            if len(chunk) < batch:
                return out
