"""Operations the Terminal does not have yet, written as functions of a Terminal.

They belong in device/terminal.py (the MQTT command handler needs them too); they live here
until they move, and the HTTP handlers call nothing else for these operations.
"""

from __future__ import annotations

import sqlalchemy as sa

from device.errors import BadInput
from device.eventlog.model import NewEvent
from device.events import EventType
from device.storage.schema import access_decisions, punches
from device.terminal import Terminal


def clear_records(terminal: Terminal, start: float, end: float) -> dict[str, int]:
    """Clear punches and access records with start <= time < end (seed 001's clear_data).

    One `RecordsCleared` event: the read models drop the rows; the punch events stay in the
    log (the hub still gets them; `compact` is what shortens the log).
    """
    if not start < end:
        raise BadInput("the start of the range must be before its end")
    with terminal.store.transaction() as txn:
        c = txn.connection
        counts = {
            "punches": c.execute(sa.select(sa.func.count()).select_from(punches).where(
                punches.c.time >= start, punches.c.time < end)).scalar() or 0,
            "access_records": c.execute(sa.select(sa.func.count()).select_from(
                access_decisions).where(access_decisions.c.time >= start,
                                        access_decisions.c.time < end)).scalar() or 0,
        }
        txn.append([NewEvent(EventType.RECORDS_CLEARED, {"from": start, "to": end})])
    return counts
