"""Read models built from the event log, each storing its position with its rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from device.event_schemas import event_problem
from device.eventlog.model import RecordedEvent
from device.projections.base import Projection, ProjectionContext
from device.projections.people import FaceSamplesProjection, PeopleProjection
from device.projections.records import (
    AccessProjection,
    AlertsProjection,
    PunchesProjection,
    SettingsProjection,
)
from device.projections.timekeeping import (
    PunchCorrectionsProjection,
    ShiftsProjection,
)
from device.storage.schema import projection_positions

ALL_PROJECTIONS: tuple[Projection, ...] = (
    PeopleProjection(),
    FaceSamplesProjection(),
    PunchesProjection(),
    AccessProjection(),
    AlertsProjection(),
    SettingsProjection(),
    ShiftsProjection(),
    PunchCorrectionsProjection(),
)


class Projector:
    """Applies events to every projection inside the caller's transaction."""

    def __init__(self, projections: Sequence[Projection] = ALL_PROJECTIONS) -> None:
        self.projections = tuple(projections)

    def positions(self, connection: sa.Connection) -> dict[str, int]:
        rows = connection.execute(sa.select(projection_positions)).all()
        return {row.name: row.position for row in rows}

    def apply(self, connection: sa.Connection, events: Sequence[RecordedEvent],
              keys: sa.Connection | None = None) -> None:
        if not events:
            return
        ctx = ProjectionContext(connection, keys if keys is not None else connection)
        stored = self.positions(connection)
        last = events[-1].position
        problems = {e.position: p for e in events if (p := event_problem(e)) is not None}
        valid = [e for e in events if e.position not in problems] if problems else events
        advanced = []
        for projection in self.projections:
            since = stored.get(projection.name, 0)
            pending = valid if events[0].position > since else [
                e for e in valid if e.position > since]
            for event in events:  # quarantined: never applied, but said so
                if event.position in problems and event.position > since:
                    projection.quarantined(ctx, event, problems[event.position])
            if not pending and events[-1].position <= since:
                continue
            if pending:
                projection.apply(ctx, pending)
            if projection.name in stored:
                advanced.append(projection.name)
            else:
                connection.execute(projection_positions.insert(),
                                   {"name": projection.name, "position": last})
        if advanced:  # one statement for all: this runs on every append
            connection.execute(_SET_POSITIONS, {"at": last, "names": advanced})

    def apply_stream(self, connection: sa.Connection, events: Iterable[RecordedEvent],
                     keys: sa.Connection | None = None, batch: int = 5000) -> None:
        chunk: list[RecordedEvent] = []
        for event in events:
            chunk.append(event)
            if len(chunk) >= batch:
                self.apply(connection, chunk, keys)
                chunk = []
        self.apply(connection, chunk, keys)


_SET_POSITIONS = projection_positions.update().where(
    projection_positions.c.name.in_(sa.bindparam("names", expanding=True))).values(
    position=sa.bindparam("at"))


__all__ = ["ALL_PROJECTIONS", "Projection", "ProjectionContext", "Projector"]
