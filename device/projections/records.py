"""Punches, access decisions, alerts and settings."""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Sequence

import sqlalchemy as sa

from device.eventlog.model import RecordedEvent
from device.events import AlertKind, EventType, upcast
from device.projections.base import Projection, ProjectionContext
from device.storage.schema import access_decisions, alerts, punches, settings


class _ClearableRecords(Projection):
    """Rows inserted in bulk (fast rebuilds), deleted by time range on RecordsCleared."""

    event_type: EventType
    table: sa.Table

    @abstractmethod
    def row(self, event: RecordedEvent) -> dict:
        """The read-model row of one event of `event_type`."""

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        rows: list[dict] = []
        for event in events:
            if event.type == self.event_type:
                rows.append(self.row(event))
            elif event.type == EventType.RECORDS_CLEARED:
                self._insert(ctx.connection, rows)
                p = upcast(event)
                ctx.connection.execute(self.table.delete().where(
                    self.table.c.time >= p["from"], self.table.c.time < p["to"]))
        self._insert(ctx.connection, rows)

    def _insert(self, connection: sa.Connection, rows: list[dict]) -> None:
        if rows:
            connection.execute(self.table.insert(), rows)  # one executemany
            rows.clear()


class PunchesProjection(_ClearableRecords):
    name = "punches"
    tables = (punches,)
    table = punches
    event_type = EventType.PUNCH_RECORDED

    def row(self, event: RecordedEvent) -> dict:
        p = upcast(event)
        return dict(position=event.position, origin=event.origin, seq=event.seq,
                    person_id=p["person_id"], name=p["name"], status=p["status"],
                    time=p.get("time", event.wall_time), distance=p.get("distance"))


class AccessProjection(_ClearableRecords):
    name = "access_decisions"
    tables = (access_decisions,)
    table = access_decisions
    event_type = EventType.ACCESS_DECIDED

    def row(self, event: RecordedEvent) -> dict:
        p = upcast(event)
        return dict(position=event.position, time=event.wall_time, person_id=p.get("person_id"),
                    decision=p["decision"], reason=p["reason"], distance=p.get("distance"))


class AlertsProjection(Projection):
    name = "alerts"
    tables = (alerts,)

    def quarantined(self, ctx: ProjectionContext, event: RecordedEvent, problem: str) -> None:
        """An event the log holds but nobody applies (an old log, a hostile sender): visible."""
        ctx.connection.execute(sa.insert(alerts).prefix_with("OR IGNORE").values(
            alert_id=f"quarantined:{event.origin}:{event.seq}", position=event.position,
            time=event.wall_time if isinstance(event.wall_time, float) else 0.0,
            kind=AlertKind.EVENT_QUARANTINED.value,
            detail=f"event {event.seq} from {event.origin!r} ({event.type[:40]}) "
                   f"not applied: {problem}",
            person_id=None, snapshot_key=None, handled=False))

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        c = ctx.connection
        for event in events:
            if event.type == EventType.ALERT_RAISED:
                p = upcast(event)
                c.execute(alerts.insert().values(
                    alert_id=p["alert_id"], position=event.position, time=event.wall_time,
                    kind=p["kind"], detail=p.get("detail", ""), person_id=p.get("person_id"),
                    snapshot_key=p.get("key_id"), handled=False))
            elif event.type == EventType.ALERT_HANDLED:
                c.execute(alerts.update().where(alerts.c.alert_id == upcast(event)["alert_id"])
                          .values(handled=True))


class SettingsProjection(Projection):
    name = "settings"
    tables = (settings,)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            if event.type == EventType.SETTINGS_CHANGED:
                for key, value in upcast(event)["values"].items():
                    ctx.connection.execute(sa.insert(settings).prefix_with("OR REPLACE").values(
                        key=key, value=json.dumps(value), position=event.position))
