"""The hub's storage: idempotent ingest, a gap-free watermark per device, the library stream.

Every method is one transaction. Two hub processes may share one PostgreSQL database:
the unique key (device_id, seq) stores each event once, the device row is locked while its
watermark moves, and the library counter row is locked while a library event is numbered,
so library sequence numbers commit in order.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from device.anchors import Anchor
from device.errors import BadInput, DatabaseError
from device.event_schemas import payload_problem
from device.events import CURRENT_VERSION, LIBRARY_EVENTS, EventType, upcast_payload
from device.storage.db import ERASURE_PATIENCE_S, checkpoint_wal, enable_wal
from sync.checksum import library_checksum
from sync.hub.migrations import HEAD as SCHEMA_HEAD
from sync.hub.migrations import LOCATION as MIGRATIONS
from sync.hub.migrations import VERSION_TABLE
from sync.hub.schema import (
    hub_aliases,
    hub_counters,
    hub_devices,
    hub_events,
    hub_library,
    hub_logs,
    hub_meta,
    hub_people,
    hub_rejected,
    hub_samples,
)
from sync.wire import WireEvent, to_wire

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("facegate.hub")

LIBRARY_COUNTER = "library"
HUB_ORIGIN = "hub"
HUB_DB = "hub_db"
SCHEMA_KEY, SCHEMA_VERSION = "schema", "2"
LEGACY_INCARNATION = "0" * 32  # events of a door that predates log instances
MIGRATION_LOCK = 0x46474842  # advisory lock class of hub migrations ("FGHB")
_ALEMBIC = threading.Lock()


@dataclass(frozen=True)
class IngestResult:
    stored: int  # new rows (duplicates are not counted)
    stored_upto: int  # every sequence up to here is stored (or refused, and said so)
    gap_after: int | None  # the hub holds later events but not stored_upto + 1
    library_events: list[dict]  # new library events to broadcast
    rejected: list[tuple[int, str]] = field(default_factory=list)  # of this batch's seqs
    anchor: Anchor | None = None
    removals: int = 0  # people removed: the caller makes the erasure durable
    conflict: bool = False  # a sequence came again with other content: a rewritten log


def open_hub_engine(url: str, create: bool = True) -> sa.Engine:
    """An engine on the hub database, migrated to this build's schema first (Alembic,
    sync/hub/migrations); `create=False` refuses a missing SQLite file instead of making
    an empty one (a typo in a report's --db must say so)."""
    if "://" not in url:
        from pathlib import Path

        if not create and not Path(url).is_file():
            raise DatabaseError(f"{url}: no such hub database")
        url = f"sqlite:///{url}"
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _check_layout(engine)
        _migrate(engine)
        _ensure_meta(engine)
        if engine.dialect.name == "sqlite":  # finish an erasure a killed hub left in the WAL
            checkpoint_wal(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    enable_wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    # Freed pages are zeroed: a removed person's encodings leave no bytes behind.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _check_layout(engine: sa.Engine) -> None:
    with engine.connect() as c:
        tables = set(sa.inspect(c).get_table_names())
    if "hub_events" in tables and "hub_meta" not in tables:
        raise DatabaseError(
            "this hub database predates log instances (FaceGate 0.1): start the hub on a new "
            "database; every door sends again what it holds")


def hub_revision(c: sa.Connection) -> str | None:
    """The hub database's schema revision, None for a new (empty) database."""
    if not sa.inspect(c).has_table(VERSION_TABLE):
        return None
    version = sa.table(VERSION_TABLE, sa.column("version_num"))
    return c.execute(sa.select(version.c.version_num)).scalar()


def hub_alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _migrate(engine: sa.Engine) -> None:
    """Apply pending migrations; refuse a database written by a newer FaceGate. Alembic is
    imported only when the database is not at HEAD already."""
    with engine.connect() as c:
        if hub_revision(c) == SCHEMA_HEAD:
            return
    from alembic import command
    from alembic.script import ScriptDirectory

    config = hub_alembic_config()
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    known = {rev.revision for rev in script.walk_revisions()}
    migrator, own = _migration_engine(engine)
    try:
        with migrator.begin() as c:
            if c.dialect.name == "postgresql":
                # One hub at a time migrates a schema; the lock ends with the transaction.
                c.execute(sa.text("SELECT pg_advisory_xact_lock(:key, "
                                  "hashtext(coalesce(current_schema(), '')))"),
                          {"key": MIGRATION_LOCK})
            current = hub_revision(c)  # again: another hub may have migrated meanwhile
            if current == head:
                return
            if current is not None and current not in known:
                raise DatabaseError(
                    f"the hub database has schema revision {current}, newer than this "
                    f"FaceGate knows (head {head}); upgrade the software")
            config.attributes["connection"] = c
            with _ALEMBIC:  # its `context` and `op` are process-wide: one run at a time
                command.upgrade(config, "head")
    finally:
        if own:
            migrator.dispose()


def _migration_engine(engine: sa.Engine) -> tuple[sa.Engine, bool]:
    """Where the migration runs, and whether it is an engine of its own to dispose of.

    PostgreSQL: the hub's engine at READ COMMITTED, so that after waiting for the lock the
    transaction sees what the hub before it committed. A SQLite file: an engine whose
    transaction starts with BEGIN IMMEDIATE (pysqlite would run DDL outside any
    transaction): the write lock keeps a second hub waiting, and a failed migration
    leaves nothing behind."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="READ COMMITTED"), False
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine, False
    migrator = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)

    @sa.event.listens_for(migrator, "connect")
    def _connect(dbapi_connection, record):  # type: ignore[no-untyped-def]
        _sqlite_pragmas(dbapi_connection, record)
        dbapi_connection.isolation_level = None  # the begin event below issues BEGIN

    @sa.event.listens_for(migrator, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return migrator, True


def _ensure_meta(engine: sa.Engine) -> None:
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with engine.begin() as c:
        for key, value in ((HUB_DB, secrets.token_hex(16)), (SCHEMA_KEY, SCHEMA_VERSION)):
            c.execute(insert(hub_meta).values(key=key, value=value)
                      .on_conflict_do_nothing(index_elements=["key"]))


class HubStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._insert = (postgresql.insert if engine.dialect.name == "postgresql"
                        else sqlite.insert)
        with engine.connect() as c:
            self.hub_db: str = c.execute(sa.select(hub_meta.c.value)
                                         .where(hub_meta.c.key == HUB_DB)).scalar_one()

    # -- device events ------------------------------------------------------------------

    def ingest(self, device_id: str, batch: Sequence[WireEvent],
               incarnation: str = LEGACY_INCARNATION, base: int = 0) -> IngestResult:
        """Store a batch of one log instance's events; refuse the bad ones by sequence."""
        now = time.time()
        library: list[dict] = []
        rejected: list[tuple[int, str]] = []
        removals = 0
        with self.engine.begin() as c:
            self._lock_device(c, device_id)
            self._open_log(c, device_id, incarnation, base, now)
            # Only a device with an earlier log instance can send what the hub holds already.
            others = c.execute(sa.select(hub_logs.c.incarnation).where(
                hub_logs.c.device_id == device_id, hub_logs.c.incarnation != incarnation)
                .limit(1)).first() is not None
            mine = [e for e in batch if e.origin == device_id]  # a device speaks for itself
            refusals = [(e, _refusal(e)) for e in mine]
            fresh, conflict = self._fresh(c, device_id, incarnation,
                                          [e for e, problem in refusals if problem is None],
                                          others)
            self._insert_events(c, device_id, incarnation, fresh, now)
            stored = len(fresh)
            for e in fresh:
                if e.type in LIBRARY_EVENTS:
                    library.extend(self._library_append(c, e, source=(device_id, e.seq)))
                    removals += e.type == EventType.PERSON_REMOVED
            for e, problem in refusals:
                if problem is not None:
                    c.execute(self._insert(hub_rejected).values(
                        device_id=device_id, incarnation=incarnation, seq=e.seq,
                        reason=problem[:500], received_at=now)
                        .on_conflict_do_nothing(
                            index_elements=["device_id", "incarnation", "seq"]))
            rejected = self._rejected_in(c, device_id, incarnation,
                                         [e.seq for e in mine])
            upto, gap = self._advance(c, device_id, incarnation)
            anchor = self._anchor(c, device_id, incarnation, upto)
        for seq, reason in rejected:
            log.info("refused event %d of %s: %s", seq, device_id, reason)
        return IngestResult(stored, upto, gap, library, rejected, anchor, removals, conflict)

    def _fresh(self, c: sa.Connection, device_id: str, incarnation: str,
               events: list[WireEvent], others: bool) -> tuple[list[WireEvent], bool]:
        """The batch's events the hub does not hold yet, each once (one query for the
        batch), and whether a sequence came again with other content. `others`: the device
        has earlier log instances, whose events this one may repeat."""
        if not events:
            return [], False
        rows = c.execute(sa.select(hub_events.c.seq, hub_events.c.hash).where(
            hub_events.c.device_id == device_id, hub_events.c.incarnation == incarnation,
            hub_events.c.seq.between(min(e.seq for e in events), max(e.seq for e in events))))
        held: dict[int, bytes | None] = {r.seq: r.hash for r in rows}
        fresh: list[WireEvent] = []
        conflict = False
        for e in events:
            link = e.chain
            if e.seq in held:
                known = held[e.seq]
                if link is not None and known is not None and known != link.hash:
                    log.warning("%s sent event %d again with other content: its log was "
                                "rewritten or restored from a copy", device_id, e.seq)
                    conflict = True
                continue
            if others and link is not None and self._repeats_earlier(
                    c, device_id, incarnation, e):
                continue
            held[e.seq] = link.hash if link else None
            fresh.append(e)
        return fresh, conflict

    def _repeats_earlier(self, c: sa.Connection, device_id: str, incarnation: str,
                         e: WireEvent) -> bool:
        """A restored copy sending what the hub holds already from an earlier instance: the
        hub records the alias instead of a second copy."""
        assert e.chain is not None
        earlier = c.execute(sa.select(hub_events.c.incarnation).where(
            hub_events.c.device_id == device_id, hub_events.c.seq == e.seq,
            hub_events.c.hash == e.chain.hash, hub_events.c.incarnation != incarnation)
        ).scalar()
        if earlier is None:
            return False
        c.execute(self._insert(hub_aliases).values(
            device_id=device_id, incarnation=incarnation, seq=e.seq, same_as=earlier)
            .on_conflict_do_nothing(index_elements=["device_id", "incarnation", "seq"]))
        return True

    def _insert_events(self, c: sa.Connection, device_id: str, incarnation: str,
                       events: list[WireEvent], now: float) -> None:
        """One statement for the batch (the device is locked: nobody inserts meanwhile)."""
        if not events:
            return
        c.execute(hub_events.insert(), [{
            "device_id": device_id, "incarnation": incarnation, "seq": e.seq,
            "type": e.type, "version": e.version, "wall_time": e.wall_time, "hlc": e.hlc,
            "payload": json.dumps(e.payload, ensure_ascii=False, allow_nan=False),
            "received_at": now, "position": e.chain.position if e.chain else None,
            "prev_hash": e.chain.prev if e.chain else None,
            "hash": e.chain.hash if e.chain else None,
            "sealed_digest": e.chain.sealed_digest if e.chain else None,
        } for e in events])

    def _rejected_in(self, c: sa.Connection, device_id: str, incarnation: str,
                     seqs: list[int]) -> list[tuple[int, str]]:
        if not seqs:
            return []
        rows = c.execute(sa.select(hub_rejected.c.seq, hub_rejected.c.reason).where(
            hub_rejected.c.device_id == device_id, hub_rejected.c.incarnation == incarnation,
            hub_rejected.c.seq.between(min(seqs), max(seqs))).order_by(hub_rejected.c.seq))
        return [(r.seq, r.reason) for r in rows]

    def _lock_device(self, c: sa.Connection, device_id: str) -> None:
        c.execute(self._insert(hub_devices).values(device_id=device_id, stored_upto=0,
                                                   state="unknown", session=0)
                  .on_conflict_do_nothing(index_elements=["device_id"]))
        c.execute(sa.select(hub_devices.c.device_id).where(hub_devices.c.device_id == device_id)
                  .with_for_update())

    def _open_log(self, c: sa.Connection, device_id: str, incarnation: str, base: int,
                  now: float) -> None:
        created = c.execute(self._insert(hub_logs).values(
            device_id=device_id, incarnation=incarnation, base=base, stored_upto=base,
            first_seen=now, last_seen=now)
            .on_conflict_do_nothing(index_elements=["device_id", "incarnation"])).rowcount
        if created:
            log.info("%s: a new log instance %s (from seq %d)", device_id, incarnation[:8],
                     base + 1)
        else:
            larger = sa.func.max if c.dialect.name == "sqlite" else sa.func.greatest
            # A door that compacted acknowledged events no longer holds them: what it does
            # not hold any more is not a gap (and is not checkable by hub-verify).
            c.execute(hub_logs.update().where(hub_logs.c.device_id == device_id,
                                              hub_logs.c.incarnation == incarnation)
                      .values(last_seen=now, base=larger(hub_logs.c.base, base),
                              stored_upto=larger(hub_logs.c.stored_upto, base)))

    def _advance(self, c: sa.Connection, device_id: str,
                 incarnation: str) -> tuple[int, int | None]:
        upto = c.execute(sa.select(hub_logs.c.stored_upto).where(
            hub_logs.c.device_id == device_id, hub_logs.c.incarnation == incarnation)
        ).scalar() or 0
        held = sa.union(
            sa.select(hub_events.c.seq.label("seq")).where(
                hub_events.c.device_id == device_id, hub_events.c.incarnation == incarnation,
                hub_events.c.seq > upto),
            sa.select(hub_rejected.c.seq.label("seq")).where(
                hub_rejected.c.device_id == device_id,
                hub_rejected.c.incarnation == incarnation, hub_rejected.c.seq > upto),
            sa.select(hub_aliases.c.seq.label("seq")).where(
                hub_aliases.c.device_id == device_id,
                hub_aliases.c.incarnation == incarnation, hub_aliases.c.seq > upto),
        ).subquery()
        later = c.execute(sa.select(held.c.seq).order_by(held.c.seq)).scalars().all()
        for seq in later:
            if seq != upto + 1:
                break
            upto = seq
        c.execute(hub_logs.update().where(hub_logs.c.device_id == device_id,
                                          hub_logs.c.incarnation == incarnation)
                  .values(stored_upto=upto))
        c.execute(hub_devices.update().where(hub_devices.c.device_id == device_id)
                  .values(stored_upto=upto, incarnation=incarnation))
        gap = upto if later and later[-1] > upto else None
        return upto, gap

    def _anchor(self, c: sa.Connection, device_id: str, incarnation: str,
                upto: int) -> Anchor | None:
        row = c.execute(sa.select(hub_events.c.seq, hub_events.c.position, hub_events.c.hash)
                        .where(hub_events.c.device_id == device_id,
                               hub_events.c.incarnation == incarnation,
                               hub_events.c.seq <= upto, hub_events.c.hash.is_not(None))
                        .order_by(hub_events.c.seq.desc()).limit(1)).first()
        return Anchor(row.seq, row.position, row.hash) if row is not None else None

    def anchors(self, device_id: str, incarnation: str | None = None) -> list[Anchor]:
        """Every chain hash the hub acknowledged for this device's current (or given) log."""
        with self.engine.connect() as c:
            if incarnation is None:
                incarnation = c.execute(sa.select(hub_devices.c.incarnation).where(
                    hub_devices.c.device_id == device_id)).scalar()
            if incarnation is None:
                return []
            upto = c.execute(sa.select(hub_logs.c.stored_upto).where(
                hub_logs.c.device_id == device_id,
                hub_logs.c.incarnation == incarnation)).scalar() or 0
            rows = c.execute(sa.select(hub_events.c.seq, hub_events.c.position,
                                       hub_events.c.hash).where(
                hub_events.c.device_id == device_id, hub_events.c.incarnation == incarnation,
                hub_events.c.seq <= upto, hub_events.c.hash.is_not(None))
                .order_by(hub_events.c.seq)).all()
        return [Anchor(r.seq, r.position, r.hash) for r in rows]

    def log_rows(self, device_id: str) -> list[sa.Row]:
        with self.engine.connect() as c:
            return list(c.execute(sa.select(hub_logs).where(hub_logs.c.device_id == device_id)
                                  .order_by(hub_logs.c.first_seen)))

    def events_of(self, device_id: str, incarnation: str) -> list[sa.Row]:
        with self.engine.connect() as c:
            return list(c.execute(sa.select(hub_events).where(
                hub_events.c.device_id == device_id, hub_events.c.incarnation == incarnation)
                .order_by(hub_events.c.seq)))

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
        payload = {k: v for k, v in upcast_payload(e.type, e.version, e.payload).items()
                   if k != "key_id"}
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
                sample_id=payload["sample_id"], person_id=person_id, hub_seq=seq,
                model=payload["model"])
                .on_conflict_do_nothing(index_elements=["sample_id"]))
        elif e.type == EventType.PERSON_REMOVED:
            c.execute(hub_people.delete().where(hub_people.c.person_id == person_id))
            c.execute(hub_samples.delete().where(hub_samples.c.person_id == person_id))
            # Erasure at the hub: biometric data of the removed person is dropped for good.
            c.execute(hub_library.update().where(hub_library.c.person_id == person_id)
                      .values(encoding=None, crop=None))
        return [self._wire(seq, e.type, payload, e.encoding, e.crop, now)]

    @property
    def library_origin(self) -> str:
        """The origin of this database's library events: a new hub database is a new
        sequence space, so a door follows it from the start instead of skipping it."""
        return library_origin(self.hub_db)

    def _wire(self, seq: int, type_: str, payload: dict, encoding: np.ndarray | None,
              crop: bytes | None, wall: float) -> dict:
        # Library payloads are stored upcast: they go out at their type's current version.
        event = WireEvent(self.library_origin, seq, type_, CURRENT_VERSION.get(type_, 1), wall,
                          int(wall * 1000) << 16, payload)
        return to_wire(event, encoding, crop)

    def append_library(self, changes: Iterable[WireEvent]) -> list[dict]:
        """Central changes (enrolment at the hub, removal by the operator)."""
        changes = list(changes)
        for change in changes:
            problem = payload_problem(change.type, change.version, change.payload)
            if problem is not None:
                raise BadInput(f"refused a library change: {problem}")
        with self.engine.begin() as c:
            out: list[dict] = []
            for change in changes:
                out.extend(self._library_append(c, change, source=None))
        if any(change.type == EventType.PERSON_REMOVED for change in changes):
            self.make_erasure_durable()
        return out

    def library_after(self, after: int, limit: int = 500) -> tuple[list[dict], bool]:
        with self.engine.connect() as c:
            rows = c.execute(sa.select(hub_library).where(hub_library.c.hub_seq > after)
                             .order_by(hub_library.c.hub_seq).limit(limit + 1)).all()
        more = len(rows) > limit
        events = []
        for r in rows[:limit]:
            encoding = None if r.encoding is None else np.frombuffer(r.encoding, "<f8")
            events.append(self._wire(r.hub_seq, r.type, _stored_library_payload(
                r.type, json.loads(r.payload)), encoding, r.crop, r.wall_time))
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
        """Apply a (schema-checked) status message unless it comes from an older session."""
        session = int(body.get("session", 0))
        with self.engine.begin() as c:
            self._lock_device(c, device_id)
            current = c.execute(sa.select(hub_devices.c.session)
                                .where(hub_devices.c.device_id == device_id)).scalar() or 0
            if session < current:
                return False
            values: dict = {"state": str(body.get("state")), "session": session,
                            "last_seen": time.time()}
            for key in ("version", "library_version", "checksum", "queue_depth", "people",
                        "device_name", "rejected_events"):
                if key in body:
                    values[key] = body[key]
            head = body.get("head")
            if isinstance(head, dict):
                values.update(head_position=head["position"], head_seq=head["seq"],
                              head_hash=head["hash"])
            c.execute(hub_devices.update().where(hub_devices.c.device_id == device_id)
                      .values(**values))
            return True

    def make_erasure_durable(self) -> None:
        """After a removal: SQLite's WAL keeps the old pages until checkpointed, PostgreSQL
        keeps dead row versions until VACUUM (docs/mqtt.md, "Erasure")."""
        if self.engine.dialect.name == "sqlite":
            if not checkpoint_wal(self.engine, ERASURE_PATIENCE_S):
                log.warning("a reader held the WAL back: the removed person's old pages "
                            "stay in the main file until the next checkpoint")
        elif self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM hub_library, hub_samples, hub_people")

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


def library_origin(hub_db: str) -> str:
    return f"{HUB_ORIGIN}-{hub_db[:16]}"


def _refusal(e: WireEvent) -> str | None:
    """Why the hub refuses this event (told to the door by sequence), or None."""
    if e.quarantined:
        return f"quarantined at the door: {e.quarantined}"
    # The payload came through strictjson.loads with the whole message: no second walk.
    problem = payload_problem(e.type, e.version, e.payload, strict_checked=True)
    if problem is not None:
        return problem
    if e.chain is not None and not e.chain.holds_for(e, checked=True):
        return "its content does not match its chain hash"
    return None


def _stored_library_payload(type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A library payload as stored: upcast when stored, except by hubs from before face
    samples named their model (those are v1, dlib's)."""
    if type_ == EventType.FACE_SAMPLE_ADDED and "model" not in payload:
        return upcast_payload(type_, 1, payload)
    return payload
