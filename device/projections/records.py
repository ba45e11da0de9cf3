"""Punches, access decisions, alerts and settings."""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa

from device.eventlog.model import RecordedEvent
from device.events import EventType, upcast
from device.projections.base import Projection, ProjectionContext
from device.storage.schema import access_decisions, alerts, punches, settings


def _insert_all(connection: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    if rows:
        connection.execute(table.insert(), rows)  # one executemany: fast rebuilds
        rows.clear()


class PunchesProjection(Projection):
    name = "punches"
    tables = (punches,)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        rows: list[dict] = []
        for event in events:
            if event.type == EventType.PUNCH_RECORDED:
                p = upcast(event)
                rows.append(dict(position=event.position, origin=event.origin, seq=event.seq,
                                 person_id=p["person_id"], name=p["name"], status=p["status"],
                                 time=p.get("time", event.wall_time), distance=p.get("distance")))
            elif event.type == EventType.RECORDS_CLEARED:
                _insert_all(ctx.connection, punches, rows)
                p = upcast(event)
                ctx.connection.execute(punches.delete().where(
                    punches.c.time >= p["from"], punches.c.time < p["to"]))
        _insert_all(ctx.connection, punches, rows)


class AccessProjection(Projection):
    name = "access_decisions"
    tables = (access_decisions,)

    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        rows: list[dict] = []
        for event in events:
            if event.type == EventType.ACCESS_DECIDED:
                p = upcast(event)
                rows.append(dict(position=event.position, time=event.wall_time,
                                 person_id=p.get("person_id"), decision=p["decision"],
                                 reason=p["reason"], distance=p.get("distance")))
            elif event.type == EventType.RECORDS_CLEARED:
                _insert_all(ctx.connection, access_decisions, rows)
                p = upcast(event)
                ctx.connection.execute(access_decisions.delete().where(
                    access_decisions.c.time >= p["from"], access_decisions.c.time < p["to"]))
        _insert_all(ctx.connection, access_decisions, rows)


class AlertsProjection(Projection):
    name = "alerts"
    tables = (alerts,)

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
