"""Counts for the device-info screen and the log head the GUI polls. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from device import __version__
from device.events import LIBRARY_EVENTS
from device.storage.db import read_transaction
from device.storage.schema import alerts, events, face_samples, people, punches
from device.terminal import Terminal
from gui.sync_status import SyncStatus, read_sync_status


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


@dataclass(frozen=True)
class LogHeads:
    """Positions of the newest event, and of the newest event that changed the library."""

    any: int
    library: int


_LIBRARY_TYPES = sorted(t.value for t in LIBRARY_EVENTS)


def log_heads(terminal: Terminal) -> LogHeads:
    """A cheap "has anything changed?": the rowid maximum and three index probes."""
    with read_transaction(terminal.database.engine) as c:
        head = c.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0
        library = max((c.execute(sa.select(sa.func.max(events.c.position))
                                 .where(events.c.type == t)).scalar() or 0)
                      for t in _LIBRARY_TYPES)
    return LogHeads(head, library)


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
