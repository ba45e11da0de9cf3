"""What a recognition means at the door: a punch (debounced), an access decision, an alert."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import sqlalchemy as sa

from device import biometrics
from device.eventlog.model import NewEvent
from device.events import AlertKind, EventType, PunchStatus
from device.imaging import encode_jpeg
from device.recognition.decision import Match
from device.settings import DeviceSettings, load_settings
from device.storage.schema import alerts, people, punches
from device.store import EventStore, StoreTransaction


class Outcome(StrEnum):
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    ALREADY_PUNCHED = "already_punched"
    NOT_RECOGNISED = "not_recognised"


@dataclass(frozen=True)
class DoorDecision:
    outcome: Outcome
    person_id: str | None
    name: str | None
    distance: float | None
    time: float
    open_door: bool
    alert_id: str | None = None
    position: int | None = None  # the punch or access event in the log

    def as_dict(self) -> dict:
        return {"outcome": self.outcome.value, "person_id": self.person_id, "name": self.name,
                "distance": None if self.distance is None else round(self.distance, 4),
                "time": dt.datetime.fromtimestamp(self.time).isoformat(timespec="seconds"),
                "access_granted": self.open_door, "alert_id": self.alert_id}


class Attendance:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    def on_match(self, match: Match, snapshot: np.ndarray | None = None,
                 now: float | None = None) -> DoorDecision:
        """Record what the match means, atomically: two processes cannot double-punch."""
        now = time.time() if now is None else now
        with self.store.transaction() as txn:
            current = load_settings(txn.connection)
            if match.known and match.person_id is not None:
                return self._known(txn, current, match, now)
            return self._unknown(txn, current, match, snapshot, now)

    def _known(self, txn: StoreTransaction, s: DeviceSettings, match: Match,
               now: float) -> DoorDecision:
        c = txn.connection
        person_id = match.person_id
        name = c.execute(sa.select(people.c.name).where(people.c.person_id == person_id)).scalar()
        if name is None:  # removed a moment ago by another process
            return self._unknown(txn, s, match, None, now)
        last = c.execute(sa.select(punches.c.time, punches.c.status)
                         .where(punches.c.person_id == person_id)
                         .order_by(punches.c.time.desc()).limit(1)).first()
        access = NewEvent(EventType.ACCESS_DECIDED, {
            "person_id": person_id, "decision": "granted", "reason": "recognised",
            "distance": match.distance})
        if last is not None and now - last.time < s.debounce_seconds:
            (event,) = txn.append([access], now)
            return DoorDecision(Outcome.ALREADY_PUNCHED, person_id, name, match.distance, now,
                                True, position=event.position)
        status = punch_status(s, now, last)
        punch = NewEvent(EventType.PUNCH_RECORDED, {
            "person_id": person_id, "name": name, "status": status.value,
            "distance": match.distance, "time": now})
        recorded = txn.append([punch, access], now)
        outcome = Outcome.CHECKED_IN if status is PunchStatus.CHECK_IN else Outcome.CHECKED_OUT
        return DoorDecision(outcome, person_id, name, match.distance, now, True,
                            position=recorded[0].position)

    def _unknown(self, txn: StoreTransaction, s: DeviceSettings, match: Match,
                 snapshot: np.ndarray | None, now: float) -> DoorDecision:
        c = txn.connection
        reason = match.verdict.value
        new = [NewEvent(EventType.ACCESS_DECIDED, {
            "person_id": None, "decision": "denied", "reason": reason,
            "distance": match.distance})]
        last_alert = c.execute(sa.select(sa.func.max(alerts.c.time))
                               .where(alerts.c.kind == AlertKind.UNKNOWN_FACE)).scalar()
        alert_id = None
        if last_alert is None or now - last_alert >= s.unknown_alert_interval:
            alert_id = uuid.uuid4().hex
            new.append(alert_event(c, alert_id, AlertKind.UNKNOWN_FACE,
                                   f"face not recognised ({reason})", snapshot))
        recorded = txn.append(new, now)
        return DoorDecision(Outcome.NOT_RECOGNISED, None, None, match.distance, now, False,
                            alert_id, recorded[0].position)


def alert_event(connection: sa.Connection, alert_id: str, kind: AlertKind, detail: str,
                snapshot: np.ndarray | None) -> NewEvent:
    """An AlertRaised event; its snapshot sealed under a key of its own (erasable)."""
    payload: dict = {"alert_id": alert_id, "kind": kind.value, "detail": detail}
    sealed = None
    if snapshot is not None:
        key_id = biometrics.alert_key_id(alert_id)
        key = biometrics.key_for(connection, key_id, create=True)
        assert key is not None
        sealed = biometrics.seal(key, encode_jpeg(snapshot), alert_id)
        payload["key_id"] = key_id
    return NewEvent(EventType.ALERT_RAISED, payload, sealed=sealed)


def punch_status(s: DeviceSettings, now: float, last: sa.Row | None) -> PunchStatus:
    local = dt.datetime.fromtimestamp(now)
    if s.punch_mode == "schedule":
        hour, minute = (int(x) for x in s.schedule_cutover.split(":"))
        cutover = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return PunchStatus.CHECK_IN if local < cutover else PunchStatus.CHECK_OUT
    if last is None or dt.datetime.fromtimestamp(last.time).date() != local.date():
        return PunchStatus.CHECK_IN  # first punch of the day
    return PunchStatus.CHECK_OUT if last.status == PunchStatus.CHECK_IN else PunchStatus.CHECK_IN
