"""Reads for every adapter (screen, HTTP, MQTT, CLI): plain result objects, no rows.

Commands live in `device/terminal.py`; an adapter that wants to know something asks here
instead of running its own SQL on the tables.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from device import __version__
from device.events import LIBRARY_EVENTS, EventType
from device.follower import head_position
from device.library.people_list import PersonSummary, list_people
from device.storage.db import json_field, read_transaction
from device.storage.schema import alerts, events, face_samples, people, punches, sync_state
from device.sync_keys import ACKED_SEQ, HUB_CONTACT, HUB_ORIGIN, SESSION
from device.terminal import Terminal

ONLINE_WITHIN_SECONDS = 60.0

# -- people ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeoplePage:
    people: list[PersonSummary]
    matching: int  # how many match the search (the page may hold fewer)
    total: int  # everybody enrolled


def find_people(engine: sa.Engine, text: str = "", limit: int | None = 200) -> PeoplePage:
    """People whose staff id or name contains `text` (case-insensitive), by staff id: only
    the rows shown are read (with 10,000 people, reading everyone costs 0.25 s a key).
    Samples are counted for the face model in use, with the weakest one's gate scores."""
    found, matching, total = list_people(engine, text, limit)
    return PeoplePage(found, matching, total)


def name_of(engine: sa.Engine, person_id: str) -> str | None:
    with read_transaction(engine) as c:
        return c.execute(sa.select(people.c.name)
                         .where(people.c.person_id == person_id)).scalar()


# -- what the sync agent left -----------------------------------------------------------


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
    """The agent's session and acknowledgement cursor; the queue is this device's own
    events the hub has not acknowledged. Without a recorded `hub_contact_at` the last
    contact is inferred from the log (a lower bound)."""
    with read_transaction(engine) as c:
        state = dict(c.execute(sa.select(sync_state.c.key, sync_state.c.value)).all())
        acked = int(state.get(ACKED_SEQ, 0))
        own = events.c.origin == device_id
        last = c.execute(sa.select(sa.func.max(events.c.seq)).where(own)).scalar() or 0
        queue = c.execute(sa.select(sa.func.count()).select_from(events)
                          .where(own, events.c.seq > acked)).scalar() or 0
        contact: float | None = state.get(HUB_CONTACT)
        inferred = None
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


# -- the device at a glance ---------------------------------------------------------------


@dataclass(frozen=True)
class DeviceStatus:
    version: str
    device_id: str
    device_name: str
    db_path: Path
    db_bytes: int
    people: int
    samples: int
    punches: int
    events: int
    open_alerts: int
    sync: SyncStatus


def read_device_status(terminal: Terminal) -> DeviceStatus:
    def count(table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        return c.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar() or 0

    engine = terminal.database.engine
    with read_transaction(engine) as c:
        counts = (count(people), count(face_samples), count(punches), count(events),
                  count(alerts, alerts.c.handled.is_(False)))
    path = Path(terminal.database.path)
    size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal"))
               if p.exists())
    return DeviceStatus(__version__, terminal.device_id, terminal.settings().device_name,
                        path, size, *counts, read_sync_status(engine, terminal.device_id))


@dataclass(frozen=True)
class LogHeads:
    """Positions of the newest event, and of the newest event that changed the library."""

    any: int
    library: int


_LIBRARY_TYPES = sorted(t.value for t in LIBRARY_EVENTS)


def log_heads(engine: sa.Engine) -> LogHeads:
    """A cheap "has anything changed?": the rowid maximum and three index probes."""
    with read_transaction(engine) as c:
        return LogHeads(head_position(c), head_position(c, _LIBRARY_TYPES))


# -- fleet commands --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedCommand:
    status: str
    result: Any
    error: str | None


def recorded_command(engine: sa.Engine, request_id: str) -> RecordedCommand | None:
    """What a fleet command with this request id did when it first ran (redelivery)."""
    with read_transaction(engine) as c:
        row = c.execute(sa.select(events.c.payload).where(
            events.c.type == EventType.COMMAND_RECEIVED.value,
            json_field(events.c.payload, "$.request_id") == request_id)).first()
    if row is None:
        return None
    try:
        p = json.loads(row.payload)
        return RecordedCommand(str(p["status"]), p.get("result"), p.get("error"))
    except (ValueError, KeyError, TypeError):
        return None  # a record this build cannot read (quarantined): run it afresh


# -- records: punches and alerts, a page at a time -------------------------------------------


@dataclass(frozen=True)
class PunchRecord:
    person_id: str
    name: str
    status: str  # a device.events.PunchStatus value
    time: float
    distance: float | None
    origin: str
    seq: int


@dataclass(frozen=True)
class PunchPage:
    punches: list[PunchRecord]  # newest first, at most `limit`
    matching: int  # how many punches lie in the range (the page may hold fewer)


def find_punches(engine: sa.Engine, start: float | None = None, end: float | None = None,
                 limit: int = 500) -> PunchPage:
    """The newest punches with start <= time < end (None: open), and how many there are."""
    where: list[sa.ColumnElement[bool]] = []
    if start is not None:
        where.append(punches.c.time >= start)
    if end is not None:
        where.append(punches.c.time < end)
    with read_transaction(engine) as c:
        rows = c.execute(sa.select(punches).where(*where)
                         .order_by(punches.c.time.desc(), punches.c.position.desc())
                         .limit(limit)).all()
        matching = c.execute(sa.select(sa.func.count()).select_from(punches)
                             .where(*where)).scalar() or 0
    return PunchPage([PunchRecord(r.person_id, r.name, r.status, r.time, r.distance, r.origin,
                                  r.seq) for r in rows], matching)


_OPEN = alerts.c.handled.is_(False)
_COUNT_OPEN = sa.select(sa.func.count()).select_from(alerts).where(_OPEN)


@dataclass(frozen=True)
class AlertSummary:
    alert_id: str
    time: float
    kind: str  # a device.events.AlertKind value (or a newer peer's kind)
    detail: str  # as stored (English; device.messages.alert_detail says it again)
    person_id: str | None
    has_snapshot: bool  # a sealed snapshot exists (Terminal.alert_snapshot decrypts it)
    handled: bool


@dataclass(frozen=True)
class AlertPage:
    alerts: list[AlertSummary]  # newest first, at most `limit`
    matching: int  # how many alerts match (open ones, or all)
    open: int  # how many are not handled


def find_alerts(engine: sa.Engine, only_open: bool = False, limit: int = 200) -> AlertPage:
    """The newest alerts (only the open ones if asked), without their snapshots."""
    query = sa.select(alerts).order_by(alerts.c.time.desc()).limit(limit)
    with read_transaction(engine) as c:
        rows = c.execute(query.where(_OPEN) if only_open else query).all()
        open_count = c.execute(_COUNT_OPEN).scalar() or 0
        matching = open_count if only_open else (
            c.execute(sa.select(sa.func.count()).select_from(alerts)).scalar() or 0)
    return AlertPage([AlertSummary(r.alert_id, r.time, r.kind, r.detail, r.person_id,
                                   r.snapshot_key is not None, bool(r.handled))
                      for r in rows], matching, open_count)


def count_open_alerts(engine: sa.Engine) -> int:
    """How many alerts are not handled (the admin menu's badge)."""
    with read_transaction(engine) as c:
        return c.execute(_COUNT_OPEN).scalar() or 0
