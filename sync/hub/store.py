"""The hub's storage: idempotent ingest, a gap-free watermark per device, the library stream.

Every method is one transaction. Two hub processes may share one PostgreSQL database:
the unique key (device_id, seq) stores each event once, the device row is locked while its
watermark moves, and the library counter row is locked while a library event is numbered,
so library sequence numbers commit in order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from device.events import LIBRARY_EVENTS, EventType
from sync.checksum import library_checksum
from sync.hub.schema import (
    hub_counters,
    hub_devices,
    hub_events,
    hub_library,
    hub_people,
    hub_samples,
    metadata,
)
from sync.wire import WireEvent, to_wire

LIBRARY_COUNTER = "library"
HUB_ORIGIN = "hub"


@dataclass(frozen=True)
class IngestResult:
    stored: int  # new rows (duplicates are not counted)
    stored_upto: int  # every sequence up to here is stored
    gap_after: int | None  # the hub holds later events but not stored_upto + 1
    library_events: list[dict]  # new library events to broadcast


def open_hub_engine(url: str) -> sa.Engine:
    if "://" not in url:
        url = f"sqlite:///{url}"
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
    metadata.create_all(engine)
    return engine


class HubStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._insert = (postgresql.insert if engine.dialect.name == "postgresql"
                        else sqlite.insert)

    # -- device events ------------------------------------------------------------------

    def ingest(self, device_id: str, batch: Sequence[WireEvent]) -> IngestResult:
        now = time.time()
        library: list[dict] = []
        with self.engine.begin() as c:
            self._lock_device(c, device_id)
            stored = 0
            for e in batch:
                if e.origin != device_id:
                    continue  # a device speaks only for itself
                inserted = c.execute(self._insert(hub_events).values(
                    device_id=device_id, seq=e.seq, type=e.type, version=e.version,
                    wall_time=e.wall_time, hlc=e.hlc,
                    payload=json.dumps(e.payload, ensure_ascii=False), received_at=now,
                ).on_conflict_do_nothing(index_elements=["device_id", "seq"])).rowcount
                stored += inserted
                if inserted and e.type in LIBRARY_EVENTS:
                    library.extend(self._library_append(c, e, source=(device_id, e.seq)))
            upto, gap = self._advance(c, device_id)
        return IngestResult(stored, upto, gap, library)

    def _lock_device(self, c: sa.Connection, device_id: str) -> None:
        c.execute(self._insert(hub_devices).values(device_id=device_id, stored_upto=0,
                                                   state="unknown", session=0)
                  .on_conflict_do_nothing(index_elements=["device_id"]))
        c.execute(sa.select(hub_devices.c.device_id).where(hub_devices.c.device_id == device_id)
                  .with_for_update())

    def _advance(self, c: sa.Connection, device_id: str) -> tuple[int, int | None]:
        upto = c.execute(sa.select(hub_devices.c.stored_upto)
                         .where(hub_devices.c.device_id == device_id)).scalar() or 0
        later = c.execute(sa.select(hub_events.c.seq).where(
            hub_events.c.device_id == device_id, hub_events.c.seq > upto)
            .order_by(hub_events.c.seq)).scalars().all()
        for seq in later:
            if seq != upto + 1:
                break
            upto = seq
        c.execute(hub_devices.update().where(hub_devices.c.device_id == device_id)
                  .values(stored_upto=upto))
        gap = upto if later and later[-1] > upto else None
        return upto, gap

    def stored_upto(self, device_id: str) -> int:
        with self.engine.connect() as c:
            return c.execute(sa.select(hub_devices.c.stored_upto)
                             .where(hub_devices.c.device_id == device_id)).scalar() or 0

    # -- the library stream -------------------------------------------------------------

    def _next_library_seq(self, c: sa.Connection) -> int:
        c.execute(self._insert(hub_counters).values(name=LIBRARY_COUNTER, value=0)
                  .on_conflict_do_nothing(index_elements=["name"]))
        current = c.execute(sa.select(hub_counters.c.value)
                            .where(hub_counters.c.name == LIBRARY_COUNTER)
                            .with_for_update()).scalar_one()
        c.execute(hub_counters.update().where(hub_counters.c.name == LIBRARY_COUNTER)
                  .values(value=current + 1))
        return current + 1

    def _library_append(self, c: sa.Connection, e: WireEvent,
                        source: tuple[str, int] | None) -> list[dict]:
        """Sequence one library change; returns it as a wire event for the broadcast."""
        payload = {k: v for k, v in e.payload.items() if k != "key_id"}
        person_id = payload.get("person_id")
        if not isinstance(person_id, str):
            return []
        if e.type == EventType.FACE_SAMPLE_ADDED and e.encoding is None:
            return []  # a sample whose data the device could no longer open: nothing to share
        seq = self._next_library_seq(c)
        now = time.time()
        encoding = None if e.encoding is None else np.asarray(e.encoding, "<f8").tobytes()
        c.execute(hub_library.insert().values(
            hub_seq=seq, type=e.type, person_id=person_id,
            payload=json.dumps(payload, ensure_ascii=False), encoding=encoding, crop=e.crop,
            wall_time=now, source_device=source[0] if source else None,
            source_seq=source[1] if source else None))
        if e.type == EventType.PERSON_ENROLLED:
            values = dict(name=str(payload.get("name", person_id)), phone=payload.get("phone"),
                          mail=payload.get("mail"), updated_at=now)
            c.execute(self._insert(hub_people).values(person_id=person_id, **values)
                      .on_conflict_do_update(index_elements=["person_id"], set_=values))
        elif e.type == EventType.FACE_SAMPLE_ADDED:
            c.execute(self._insert(hub_samples).values(
                sample_id=payload["sample_id"], person_id=person_id, hub_seq=seq)
                .on_conflict_do_nothing(index_elements=["sample_id"]))
        elif e.type == EventType.PERSON_REMOVED:
            c.execute(hub_people.delete().where(hub_people.c.person_id == person_id))
            c.execute(hub_samples.delete().where(hub_samples.c.person_id == person_id))
            # Erasure at the hub: biometric data of the removed person is dropped for good.
            c.execute(hub_library.update().where(hub_library.c.person_id == person_id)
                      .values(encoding=None, crop=None))
        return [self._wire(seq, e.type, payload, e.encoding, e.crop, now)]

    @staticmethod
    def _wire(seq: int, type_: str, payload: dict, encoding: np.ndarray | None,
              crop: bytes | None, wall: float) -> dict:
        event = WireEvent(HUB_ORIGIN, seq, type_, 1, wall, int(wall * 1000) << 16, payload)
        return to_wire(event, encoding, crop)

    def append_library(self, changes: Iterable[WireEvent]) -> list[dict]:
        """Central changes (enrolment at the hub, removal by the operator)."""
        with self.engine.begin() as c:
            out: list[dict] = []
            for change in changes:
                out.extend(self._library_append(c, change, source=None))
            return out

    def library_after(self, after: int, limit: int = 500) -> tuple[list[dict], bool]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(hub_library).where(hub_library.c.hub_seq > after)
                             .order_by(hub_library.c.hub_seq).limit(limit + 1)).all()
        more = len(rows) > limit
        events = []
        for r in rows[:limit]:
            encoding = None if r.encoding is None else np.frombuffer(r.encoding, "<f8")
            events.append(self._wire(r.hub_seq, r.type, json.loads(r.payload), encoding, r.crop,
                                     r.wall_time))
        return events, more

    def library_state(self) -> tuple[int, str]:
        with self.engine.connect() as c:
            version = c.execute(sa.select(sa.func.max(hub_library.c.hub_seq))).scalar() or 0
            people = [(r.person_id, r.name) for r in
                      c.execute(sa.select(hub_people.c.person_id, hub_people.c.name))]
            samples = [(r.sample_id, r.person_id) for r in
                       c.execute(sa.select(hub_samples.c.sample_id, hub_samples.c.person_id))]
        return version, library_checksum(people, samples)

    def has_person(self, person_id: str) -> bool:
        with self.engine.connect() as c:
            return c.execute(sa.select(hub_people.c.person_id)
                             .where(hub_people.c.person_id == person_id)).first() is not None

    # -- registry and reports -----------------------------------------------------------

    def update_status(self, device_id: str, body: dict) -> bool:
        """Apply a status message unless it comes from an older session (a late will)."""
        session = int(body.get("session", 0))
        with self.engine.begin() as c:
            self._lock_device(c, device_id)
            current = c.execute(sa.select(hub_devices.c.session)
                                .where(hub_devices.c.device_id == device_id)).scalar() or 0
            if session < current:
                return False
            values: dict = {"state": str(body.get("state")), "session": session,
                            "last_seen": time.time()}
            for key in ("version", "library_version", "checksum", "queue_depth", "people"):
                if key in body:
                    values[key] = body[key]
            c.execute(hub_devices.update().where(hub_devices.c.device_id == device_id)
                      .values(**values))
            return True

    def devices(self) -> list[sa.Row]:
        with self.engine.connect() as c:
            return list(c.execute(sa.select(hub_devices).order_by(hub_devices.c.device_id)))

    def punches(self, start: float | None = None, end: float | None = None) -> list[dict]:
        query = sa.select(hub_events).where(hub_events.c.type == EventType.PUNCH_RECORDED.value)
        if start is not None:
            query = query.where(hub_events.c.wall_time >= start)
        if end is not None:
            query = query.where(hub_events.c.wall_time < end)
        query = query.order_by(hub_events.c.wall_time, hub_events.c.device_id, hub_events.c.seq)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        result = []
        for r in rows:
            p = json.loads(r.payload)
            result.append({"device_id": r.device_id, "seq": r.seq,
                           "time": p.get("time", r.wall_time), "person_id": p.get("person_id"),
                           "name": p.get("name"), "status": p.get("status")})
        return result
