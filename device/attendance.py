"""What a recognition means at the door: a punch (debounced), an access decision, an alert.

Liveness (device/liveness/): with the policy off, or no verdict, or an UNKNOWN verdict, a
recognition means what it always did. Otherwise the verdict goes into the PunchRecorded and
AccessDecided payloads ("liveness": verdict and cue scores); a SPOOF verdict raises a
SPOOF_SUSPECTED alert with a snapshot, and under the strict policy refuses: no punch, no door.

Every AccessDecided event says "granted" or "denied" (AccessDecision) and why (AccessReason,
device/recognition/decision.py); alert details are composed in English from the catalogue
of device/messages.py, which also says them in Chinese.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import sqlalchemy as sa

from device import biometrics
from device.eventlog.model import NewEvent
from device.events import AlertKind, EventType, PunchStatus
from device.imaging import encode_jpeg
from device.liveness.policy import LivenessPolicy, LivenessResult, LivenessVerdict
from device.messages import Notice, text
from device.recognition.decision import AccessDecision, AccessReason, Match
from device.settings import DeviceSettings, load_settings
from device.storage.schema import alerts, people, punches
from device.store import EventStore, StoreTransaction

__all__ = ["AccessDecision", "AccessReason", "Attendance", "DoorDecision", "Outcome",
           "alert_event", "punch_status"]


class Outcome(StrEnum):
    """What a door decision meant for the person (the result screen, `watch`)."""

    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    ALREADY_PUNCHED = "already_punched"
    NOT_RECOGNISED = "not_recognised"
    SPOOF_REFUSED = "spoof_refused"  # recognised, but a photo or a screen (strict policy)


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
    liveness: LivenessResult | None = None  # the verdict recorded with it, if any

    def as_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "outcome": self.outcome.value, "person_id": self.person_id, "name": self.name,
            "distance": None if self.distance is None else round(self.distance, 4),
            "time": dt.datetime.fromtimestamp(self.time).isoformat(timespec="seconds"),
            "access_granted": self.open_door, "alert_id": self.alert_id}
        if self.liveness is not None:
            record["liveness"] = self.liveness.as_payload()
        return record


class Attendance:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    def on_match(self, match: Match, snapshot: np.ndarray | None = None,
                 now: float | None = None,
                 liveness: LivenessResult | None = None) -> DoorDecision:
        """Record what the match means, atomically: two processes cannot double-punch.

        `liveness` is the verdict on the face behind `match` (None: not assessed).
        """
        now = time.time() if now is None else now
        with self.store.transaction() as txn:
            current = load_settings(txn.connection)
            if match.known and match.person_id is not None:
                return self._known(txn, current, match, now, _applies(current, liveness),
                                   snapshot)
            return self._unknown(txn, current, match, snapshot, now)

    def _known(self, txn: StoreTransaction, s: DeviceSettings, match: Match, now: float,
               liveness: LivenessResult | None = None,
               snapshot: np.ndarray | None = None) -> DoorDecision:
        c = txn.connection
        person_id = match.person_id
        name = c.execute(sa.select(people.c.name).where(people.c.person_id == person_id)).scalar()
        if name is None:  # removed a moment ago by another process
            return self._unknown(txn, s, match, None, now)
        checked = {} if liveness is None else {"liveness": liveness.as_payload()}
        alert: list[NewEvent] = []
        alert_id = None
        if liveness is not None and liveness.suspicious:
            alert_id = uuid.uuid4().hex
            alert.append(alert_event(c, alert_id, AlertKind.SPOOF_SUSPECTED,
                                     text(Notice.SPOOF_SUSPECTED, cue=liveness.reason,
                                          person_id=person_id), snapshot, person_id))
            if s.liveness_policy == LivenessPolicy.STRICT:
                return self._refuse(txn, match, name, now, liveness, alert_id, alert)
        last = c.execute(sa.select(punches.c.time, punches.c.status)
                         .where(punches.c.person_id == person_id)
                         .order_by(punches.c.time.desc()).limit(1)).first()
        access = NewEvent(EventType.ACCESS_DECIDED, {
            "person_id": person_id, "decision": AccessDecision.GRANTED.value,
            "reason": AccessReason.RECOGNISED.value, "distance": match.distance, **checked})
        if last is not None and now - last.time < s.debounce_seconds:
            (event, *_) = txn.append([access, *alert], now)
            return DoorDecision(Outcome.ALREADY_PUNCHED, person_id, name, match.distance, now,
                                True, alert_id, event.position, liveness)
        status = punch_status(s, now, last)
        punch = NewEvent(EventType.PUNCH_RECORDED, {
            "person_id": person_id, "name": name, "status": status.value,
            "distance": match.distance, "time": now, **checked})
        recorded = txn.append([punch, access, *alert], now)
        outcome = Outcome.CHECKED_IN if status is PunchStatus.CHECK_IN else Outcome.CHECKED_OUT
        return DoorDecision(outcome, person_id, name, match.distance, now, True, alert_id,
                            recorded[0].position, liveness)

    @staticmethod
    def _refuse(txn: StoreTransaction, match: Match, name: str, now: float,
                liveness: LivenessResult, alert_id: str, alert: list[NewEvent]) -> DoorDecision:
        """Strict policy, spoof verdict: an access record and an alert, no punch, no door."""
        access = NewEvent(EventType.ACCESS_DECIDED, {
            "person_id": match.person_id, "decision": AccessDecision.DENIED.value,
            "reason": AccessReason.SPOOF_SUSPECTED.value, "distance": match.distance,
            "liveness": liveness.as_payload()})
        (event, *_) = txn.append([access, *alert], now)
        return DoorDecision(Outcome.SPOOF_REFUSED, match.person_id, name, match.distance, now,
                            False, alert_id, event.position, liveness)

    def _unknown(self, txn: StoreTransaction, s: DeviceSettings, match: Match,
                 snapshot: np.ndarray | None, now: float) -> DoorDecision:
        c = txn.connection
        reason = AccessReason.denied(match.verdict)
        new = [NewEvent(EventType.ACCESS_DECIDED, {
            "person_id": None, "decision": AccessDecision.DENIED.value, "reason": reason.value,
            "distance": match.distance})]
        last_alert = c.execute(sa.select(sa.func.max(alerts.c.time))
                               .where(alerts.c.kind == AlertKind.UNKNOWN_FACE)).scalar()
        alert_id = None
        if last_alert is None or now - last_alert >= s.unknown_alert_interval:
            alert_id = uuid.uuid4().hex
            new.append(alert_event(c, alert_id, AlertKind.UNKNOWN_FACE,
                                   text(Notice.UNKNOWN_FACE, reason=reason), snapshot))
        recorded = txn.append(new, now)
        return DoorDecision(Outcome.NOT_RECOGNISED, None, None, match.distance, now, False,
                            alert_id, recorded[0].position)


def _applies(s: DeviceSettings, liveness: LivenessResult | None) -> LivenessResult | None:
    """The verdict to act on: none when the policy is off or nothing was assessed."""
    if s.liveness_policy == LivenessPolicy.OFF or liveness is None:
        return None
    return None if liveness.verdict is LivenessVerdict.UNKNOWN else liveness


def alert_event(connection: sa.Connection, alert_id: str, kind: AlertKind, detail: str,
                snapshot: np.ndarray | None, person_id: str | None = None) -> NewEvent:
    """An AlertRaised event; its snapshot sealed under a key of its own (erasable).

    An alert about a person (a replay of their face) seals the snapshot under that
    person's key instead: removing the person erases the picture of them too.
    """
    payload: dict = {"alert_id": alert_id, "kind": kind.value, "detail": detail}
    if person_id is not None:
        payload["person_id"] = person_id
    sealed = None
    if snapshot is not None:
        key_id = (biometrics.alert_key_id(alert_id) if person_id is None
                  else biometrics.person_key_id(person_id))
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
