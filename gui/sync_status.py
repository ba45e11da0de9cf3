"""What the sync agent (another process) last left in the shared SQLite file. Qt-free.

The agent records its MQTT session counter and the hub's acknowledgement cursor in
`sync_state`; the queue is this device's own events the hub has not acknowledged yet.
`hub_contact_at` (epoch seconds of the last message from the hub) is read if an agent
writes it; until then the last contact is inferred from the log: the newest own event the
hub has acknowledged, or the newest event that came from the hub, whichever is later
(a lower bound: the acknowledgement itself arrived after that).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa

from device.storage.db import read_transaction
from device.storage.schema import events, sync_state
from sync.device_side import ACKED_SEQ, HUB_ORIGIN, SESSION  # the keys the agent writes
from sync.device_side import HUB_CONTACT as HUB_CONTACT_AT

ONLINE_WITHIN_SECONDS = 60.0


class SyncState(StrEnum):
    NO_AGENT = "no_agent"  # no sync agent has ever run on this file: offline
    ONLINE = "online"  # the hub was heard from recently (needs hub_contact_at)
    OFFLINE = "offline"  # the hub has not been heard from for a while (needs hub_contact_at)
    SYNCED = "synced"  # everything acknowledged (connection state unknown)
    PENDING = "pending"  # events waiting for the hub


@dataclass(frozen=True)
class SyncStatus:
    session: int
    acked_seq: int
    last_seq: int
    queue_depth: int
    last_hub_contact: float | None
    contact_reported: bool  # the agent writes hub_contact_at (exact) rather than inferred

    def state(self, now: float | None = None) -> SyncState:
        if self.session == 0:
            return SyncState.NO_AGENT
        if self.contact_reported and self.last_hub_contact is not None:
            now = time.time() if now is None else now
            fresh = now - self.last_hub_contact <= ONLINE_WITHIN_SECONDS
            return SyncState.ONLINE if fresh else SyncState.OFFLINE
        return SyncState.PENDING if self.queue_depth else SyncState.SYNCED


def read_sync_status(engine: sa.Engine, device_id: str) -> SyncStatus:
    with read_transaction(engine) as c:
        state = dict(c.execute(sa.select(sync_state.c.key, sync_state.c.value)).all())
        acked = int(state.get(ACKED_SEQ, 0))
        own = events.c.origin == device_id
        last = c.execute(sa.select(sa.func.max(events.c.seq)).where(own)).scalar() or 0
        queue = c.execute(sa.select(sa.func.count()).select_from(events)
                          .where(own, events.c.seq > acked)).scalar() or 0
        contact: float | None = state.get(HUB_CONTACT_AT)
        if contact is None:
            acked_time = c.execute(sa.select(events.c.wall_time)
                                   .where(own, events.c.seq == acked)).scalar()
            from_hub = c.execute(sa.select(sa.func.max(events.c.wall_time))
                                 .where(events.c.origin.startswith(HUB_ORIGIN))).scalar()
            known = [t for t in (acked_time, from_hub) if t is not None]
            inferred = max(known) if known else None
        return SyncStatus(int(state.get(SESSION, 0)), acked, last, queue,
                          float(contact) if contact is not None else inferred,
                          contact is not None)
