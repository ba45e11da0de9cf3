"""Time-attendance read models: shift definitions and assignments (every version kept, so a
report uses the rules as they stood) and punch corrections."""

from __future__ import annotations

from collections.abc import Sequence

from device.eventlog.model import RecordedEvent
from device.events import EventType, upcast
from device.projections.base import Projection, ProjectionContext
from device.storage.schema import (
    punch_corrections,
    shift_assignments,
    shift_definitions,
)
from device.strictjson import canonical


def _json(payload: dict) -> str:
    return canonical(payload)


class ShiftsProjection(Projection):
    name = "shifts"
    tables = (shift_definitions, shift_assignments)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        c = ctx.connection
        for event in events:
            if event.type == EventType.SHIFT_DEFINED:
                p = upcast(event)
                c.execute(shift_definitions.insert().values(
                    position=event.position, name=p["name"], payload=_json(p),
                    defined_at=event.wall_time))
            elif event.type == EventType.SHIFT_ASSIGNED:
                c.execute(shift_assignments.insert().values(
                    position=event.position, payload=_json(upcast(event)),
                    assigned_at=event.wall_time))


class PunchCorrectionsProjection(Projection):
    """Added and voided punches; RecordsCleared drops added punches in its range (as it drops
    the punches), a void stays (it names a punch, not a time)."""

    name = "punch_corrections"
    tables = (punch_corrections,)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        c = ctx.connection
        for event in events:
            if event.type == EventType.PUNCH_ADDED:
                p = upcast(event)
                c.execute(punch_corrections.insert().values(
                    position=event.position, kind="added", origin=event.origin,
                    seq=event.seq, person_id=p["person_id"], name=p["name"], time=p["time"],
                    status=p["status"], target_origin=None, target_seq=None,
                    reason=p["reason"], by=p["by"], recorded_at=event.wall_time))
            elif event.type == EventType.PUNCH_VOIDED:
                p = upcast(event)
                c.execute(punch_corrections.insert().values(
                    position=event.position, kind="voided", origin=event.origin,
                    seq=event.seq, person_id=p["person_id"], name=None, time=None,
                    status=None, target_origin=p["origin"], target_seq=p["seq"],
                    reason=p["reason"], by=p["by"], recorded_at=event.wall_time))
            elif event.type == EventType.RECORDS_CLEARED:
                p = upcast(event)
                c.execute(punch_corrections.delete().where(
                    punch_corrections.c.kind == "added",
                    punch_corrections.c.time >= p["from"], punch_corrections.c.time < p["to"]))
