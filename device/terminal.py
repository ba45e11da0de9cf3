"""The door terminal: one object the CLI, the touchscreen, HTTP and MQTT all go through.

Every operation is one code path here, whatever adapter asked for it.
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from device import biometrics
from device.database import Database, open_database
from device.errors import AlreadyEnrolled, BadInput, NotFound
from device.event_payloads import FaceSampleAdded
from device.eventlog.model import NewEvent
from device.events import AlertKind, DoorOpenReason, EventType
from device.ids import check_id, check_name, check_optional_text
from device.library.bulk_import import (
    IMAGE_SUFFIXES,
    PHOTO_NAME,
    import_jobs,
    plan_folder,
    staff_from_file_name,
)
from device.library.cache import LibraryCache
from device.library.people_list import PersonSummary, list_people
from device.recognition.decision import MIN_NAMED_FACE_PX, Match, Verdict, decide
from device.settings import DeviceSettings, load_settings
from device.storage.db import ERASURE_PATIENCE_S, checkpoint_wal, json_field, read_transaction
from device.storage.schema import access_decisions, alerts, events, face_samples, people, punches
from device.store import EventStore
from device.verify import VerifyReport, verify

__all__ = ["IMAGE_SUFFIXES", "PHOTO_NAME", "EnrolResult", "IdentifiedFace", "PersonSummary",
           "Terminal", "import_jobs", "staff_from_file_name"]

if TYPE_CHECKING:  # dlib's models load on import: only processes that recognise pay for them
    import datetime as dt

    from device.attendance_admin import AssignmentRecord, ShiftRecord
    from device.clock import ClockChange
    from device.event_payloads import PunchAdded, PunchVoided
    from device.library.engine_switch import SwitchReport
    from device.library.enrolment import QualityPolicy, Sample
    from device.recognition.calibration import MatchRule
    from device.recognition.engines import Engine
    from device.timekeeping import Assignment, DailyRow, MonthlySummary, ScheduleKind, Shift



@dataclass(frozen=True)
class EnrolResult:
    person_id: str
    name: str
    samples_added: int
    new_person: bool


@dataclass(frozen=True)
class IdentifiedFace:
    box: tuple[int, int, int, int]
    match: Match
    name: str | None


class Terminal:
    def __init__(self, database: Database, engine: Engine | None = None) -> None:
        self.database = database
        self.store = EventStore(database)
        self._engine = engine
        self._cache: LibraryCache | None = None

    @property
    def engine(self) -> Engine:
        """The engine the `face_engine` setting names (or the one given at construction)."""
        if self._engine is None:
            from device.recognition.engines import shared_engine

            self._engine = shared_engine(self.settings().face_engine)
        return self._engine

    def follow_engine(self, engine_name: str) -> bool:
        """Take up a `face_engine` another process switched to; True if it changed."""
        from device.recognition.engines import shared_engine
        from device.recognition.face_models import model_for

        if self._engine is not None and self._engine.model_id == model_for(engine_name).model_id:
            return False
        self._engine, self._cache = shared_engine(engine_name), None
        return True

    def match_rule(self, s: DeviceSettings | None = None) -> MatchRule:
        """Threshold and margin for this engine's model at the library's size now."""
        from device.recognition.calibration import match_rule

        s = s or self.settings()
        return match_rule(self.engine.model_id, self.cache.index.person_count,
                          s.security_level, s.match_threshold, s.match_margin)

    @classmethod
    def open(cls, path: str | Path, device_id: str | None = None) -> Terminal:
        from device.library.engine_switch import pin_existing_engine

        terminal = cls(open_database(path, device_id))
        terminal.store.catch_up()
        pin_existing_engine(terminal.store)
        return terminal

    def close(self) -> None:
        self.database.close()

    @property
    def device_id(self) -> str:
        return self.database.device_id

    # -- library ------------------------------------------------------------------------

    @property
    def cache(self) -> LibraryCache:
        """The matcher's library, loaded on first use; `current_cache` also catches up."""
        if self._cache is None or self._cache.model.model_id != self.engine.model_id:
            from device.recognition.face_models import MODELS

            self._cache = LibraryCache(self.database.engine, MODELS[self.engine.model_id])
            self._cache.load()
        return self._cache

    def current_cache(self) -> LibraryCache:
        cache = self.cache
        cache.refresh()
        return cache

    def settings(self) -> DeviceSettings:
        with read_transaction(self.database.engine) as c:
            return load_settings(c)

    def enroll(self, person_id: str, name: str, images: Iterable[str | Path | bytes | np.ndarray],
               phone: str | None = None, mail: str | None = None, force: bool = False,
               largest: bool = False, policy: QualityPolicy | None = None) -> EnrolResult:
        """Check every photo first; then write the person and all samples in one transaction."""
        from device.library.enrolment import samples_from_image

        person_id, name = _clean_id(person_id), _clean_name(name)
        phone, mail = check_optional_text(phone, "phone", 50), check_optional_text(mail, "mail")
        samples: list[Sample] = []
        for image in images:
            samples.extend(samples_from_image(self.engine, image, largest=largest,
                                              policy=policy))
        if not samples:
            raise BadInput("give at least one photo")
        enrolled = self._enrolled_photos(person_id, samples)
        same = [s for s in samples if s.photo_digest in enrolled]
        samples = [s for s in samples if s.photo_digest not in enrolled]
        if not force:
            self._refuse_if_someone_else(person_id, samples)
        with self.store.transaction() as txn:
            c = txn.connection
            existing = c.execute(sa.select(people).where(people.c.person_id == person_id)).first()
            new: list[NewEvent] = []
            details = {"person_id": person_id, "name": name, "phone": phone, "mail": mail}
            if existing is None or (existing.name, existing.phone, existing.mail) != (
                    name, phone, mail):
                new.append(NewEvent(EventType.PERSON_ENROLLED, details))
            elif not samples:  # nothing new: the photo is there, and so are the details
                raise _same_photo(same[0].source)
            key_id = biometrics.person_key_id(person_id)
            key = biometrics.key_for(c, key_id, create=True)
            assert key is not None
            model = self.engine
            for sample in samples:
                sample_id = uuid.uuid4().hex
                sealed = biometrics.seal(key, biometrics.pack_sample(sample.encoding,
                                                                     sample.crop_jpeg), sample_id)
                new.append(FaceSampleAdded(
                    person_id, sample_id, model.model_id, model.dim, key_id,
                    round(sample.quality.sharpness, 1), sample.mirrored,
                    photo_digest=sample.photo_digest, gates=sample.gates).to_event(sealed))
            txn.append(new)
        return EnrolResult(person_id, name, len(samples), existing is None)

    def _enrolled_photos(self, person_id: str, samples: list[Sample]) -> set[str]:
        """Which of these photos (by digest) this person has enrolled already: they add no
        sample a second time (a changed name or phone still goes in)."""
        digests = {s.photo_digest for s in samples if s.photo_digest}
        if not digests:
            return set()
        with read_transaction(self.database.engine) as c:
            return set(c.execute(sa.select(face_samples.c.photo_digest).where(
                face_samples.c.person_id == person_id,
                face_samples.c.photo_digest.in_(digests))).scalars())

    def _refuse_if_someone_else(self, person_id: str, samples: list[Sample]) -> None:
        """Refuse a face within the duplicate threshold of someone else: calibrated to a
        level DUPLICATE_LEVEL_FACTOR times stricter than the door's, so look-alikes in a
        large library are not refused as the same person."""
        from device.recognition.calibration import duplicate_threshold

        s = self.settings()
        cache = self.current_cache()
        limit = duplicate_threshold(self.engine.model_id, cache.index.person_count, s)
        for sample in samples:
            for candidate in cache.index.search(sample.encoding, persons=3):
                if candidate.person_id != person_id and candidate.distance <= limit:
                    name = cache.name_of(candidate.person_id) or candidate.person_id
                    raise AlreadyEnrolled(
                        f"{sample.source}: this face is already registered as "
                        f"{candidate.person_id} ({name}), distance {candidate.distance:.2f}; "
                        "use --force to enrol anyway", candidate.person_id, candidate.distance)

    def import_folder(self, folder: str | Path,
                      progress: Callable[[int, int, str, str | None], None] | None = None,
                      force: bool = False) -> tuple[list[EnrolResult], list[str]]:
        """Enrol from `<staff_id>_<name>.jpg` files or per-person subfolders.

        A bad photo is reported and skipped; the others still go in.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise BadInput(f"{folder}: not a folder")
        plan = plan_folder(folder)
        jobs = [(j.person_id, j.name, j.photos) for j in plan.jobs]
        if not jobs:
            raise BadInput(f"{folder}: no photos named <staff_id>_<name>.jpg or per-person "
                           f"folders ({len(plan.refused)} files not usable)")
        done: list[EnrolResult] = []
        errors: list[str] = [str(r) for r in plan.refused]  # misnamed files count too
        for i, (person_id, name, files) in enumerate(jobs, 1):
            problems = []
            for file in files:  # one photo at a time: a bad one does not sink the others
                try:
                    done.append(self.enroll(person_id, name, [file], force=force))
                except BadInput as e:
                    problems.append(str(e))
            errors.extend(f"{person_id}: {p}" for p in problems)
            if progress:
                progress(i, len(jobs), person_id, "; ".join(problems) or None)
        return done, errors

    def remove(self, person_id: str) -> None:
        """Remove a person and erase their biometrics beyond recovery."""
        person_id = _clean_id(person_id)
        with self.store.transaction() as txn:
            c = txn.connection
            if c.execute(sa.select(people.c.person_id)
                         .where(people.c.person_id == person_id)).first() is None:
                raise NotFound(f"no person with id {person_id!r}")
            txn.append([NewEvent(EventType.PERSON_REMOVED, {"person_id": person_id})])
        checkpoint_wal(self.database.engine, ERASURE_PATIENCE_S)  # the WAL must not keep them

    def people(self) -> list[PersonSummary]:
        return list_people(self.database.engine, limit=None)[0]

    def face_crops(self, person_id: str) -> list[bytes]:
        """The person's stored face crops (JPEG), decrypted; mirrored samples skipped."""
        person_id = _clean_id(person_id)
        with read_transaction(self.database.engine) as c:
            key = biometrics.key_for(c, biometrics.person_key_id(person_id))
            if key is None:
                raise NotFound(f"no person with id {person_id!r}")
            alive = {r.sample_id for r in c.execute(sa.select(face_samples.c.sample_id).where(
                face_samples.c.person_id == person_id))}
            rows = c.execute(sa.select(events.c.payload, events.c.sealed).where(
                events.c.type == EventType.FACE_SAMPLE_ADDED.value,
                json_field(events.c.payload, "$.person_id") == person_id)).all()
        crops = []
        for row in rows:
            payload = _json(row.payload)
            if payload["sample_id"] not in alive or payload.get("mirrored"):
                continue
            plain = biometrics.unseal(key, row.sealed, payload["sample_id"])
            if plain is not None:
                crops.append(biometrics.unpack_sample(plain)[1])
        return crops

    # -- recognition ----------------------------------------------------------------------

    def identify(self, image: str | Path | bytes | np.ndarray) -> list[IdentifiedFace]:
        """Every face in a photo with its match, the door candidate (largest) first."""
        from device.imaging import load_rgb
        from device.recognition.engine import PHOTO_DETECT_MAX_SIDE

        rgb = image if isinstance(image, np.ndarray) else load_rgb(image)
        s = self.settings()
        cache = self.current_cache()
        result = []
        rule = self.match_rule(s)
        for face in self.engine.detect(rgb, max_side=PHOTO_DETECT_MAX_SIDE):
            if min(face.width, face.height) < MIN_NAMED_FACE_PX:  # found, too small to name
                result.append(IdentifiedFace(face.box, Match(Verdict.UNKNOWN, None, None,
                                                             None, None), None))
                continue
            match = decide(cache.index.search(self.engine.encode(rgb, face)),
                           rule.threshold, rule.margin)
            name = cache.name_of(match.person_id) if match.person_id else None
            result.append(IdentifiedFace(face.box, match, name))
        return result

    # -- records --------------------------------------------------------------------------

    def punches(self, start: float | None = None, end: float | None = None) -> list[sa.Row]:
        query = sa.select(punches).order_by(punches.c.time)
        if start is not None:
            query = query.where(punches.c.time >= start)
        if end is not None:
            query = query.where(punches.c.time < end)
        with read_transaction(self.database.engine) as c:
            return list(c.execute(query))

    def punches_csv(self, start: float | None = None, end: float | None = None) -> str:
        import datetime as dt

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["time", "person_id", "name", "status", "distance", "device", "seq"])
        for p in self.punches(start, end):
            writer.writerow([dt.datetime.fromtimestamp(p.time).isoformat(timespec="seconds"),
                             p.person_id, p.name, p.status,
                             "" if p.distance is None else f"{p.distance:.4f}", p.origin, p.seq])
        return out.getvalue()

    def clear_records(self, start: float, end: float) -> dict[str, int]:
        """Clear punches and access records with start <= time < end (seed 001's clear_data).

        One RecordsCleared event: the read models drop the rows; the punch events stay in the
        log (the hub still gets them; `compact` is what shortens the log).
        """
        if not start < end:
            raise BadInput("the start of the range must be before its end")
        with self.store.transaction() as txn:
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

    # -- time attendance (device/attendance_admin.py; docs/attendance.md "At the door") ------

    def define_shift(self, shift: Shift, by: str) -> ShiftRecord:
        """Define (or redefine from today on) a shift: a ShiftDefined event."""
        from device.attendance_admin import define_shift

        return define_shift(self.store, shift, by)

    def assign_shift(self, shifts: list[str], by: str, *, person_id: str | None = None,
                     everyone: bool = False, start: dt.date | None = None,
                     end: dt.date | None = None, kind: ScheduleKind | None = None
                     ) -> Assignment:
        """Assign shift(s) to a person or everyone (ShiftAssigned); overlaps are refused."""
        from device.attendance_admin import assign_shift
        from device.timekeeping import ScheduleKind

        return assign_shift(self.store, shifts, by, person_id=person_id, everyone=everyone,
                            start=start, end=end, kind=kind or ScheduleKind.REGULAR)

    def shift_rules(self) -> tuple[list[ShiftRecord], list[AssignmentRecord]]:
        """The latest definition of every shift and every assignment."""
        from device.attendance_admin import shift_records

        return shift_records(self.database.engine)

    def add_punch(self, person_id: str, at: float, status: str | None, reason: str,
                  by: str) -> PunchAdded:
        """A missed punch (PunchAdded): the original log is not touched."""
        from device.attendance_admin import add_punch

        return add_punch(self.store, person_id, at, status, reason, by, self.now())

    def void_punch(self, seq: int, reason: str, by: str,
                   origin: str | None = None) -> PunchVoided:
        """Void a punch by its sequence number (PunchVoided); the punch stays in the log."""
        from device.attendance_admin import void_punch

        return void_punch(self.store, seq, reason, by, origin)

    def daily_report(self, first: dt.date, last: dt.date) -> list[DailyRow]:
        from device.attendance_admin import daily_report

        return daily_report(self.database.engine, self.device_id, first, last, self.now())

    def monthly_report(self, month: str) -> list[MonthlySummary]:
        from device.attendance_admin import monthly_report

        return monthly_report(self.database.engine, self.device_id, month, self.now())

    def alerts(self, only_open: bool = False) -> list[sa.Row]:
        query = sa.select(alerts).order_by(alerts.c.time.desc())
        if only_open:
            query = query.where(alerts.c.handled.is_(False))
        with read_transaction(self.database.engine) as c:
            return list(c.execute(query))

    def alert_snapshot(self, alert_id: str) -> bytes | None:
        with read_transaction(self.database.engine) as c:
            row = c.execute(sa.select(alerts).where(alerts.c.alert_id == alert_id)).first()
            if row is None:
                raise NotFound(f"no alert {alert_id!r}")
            if row.snapshot_key is None:
                return None
            key = biometrics.key_for(c, row.snapshot_key)
            sealed = c.execute(sa.select(events.c.sealed)
                               .where(events.c.position == row.position)).scalar()
        if key is None or sealed is None:
            return None
        return biometrics.unseal(key, sealed, alert_id)

    def handle_alert(self, alert_id: str) -> None:
        with self.store.transaction() as txn:
            found = txn.connection.execute(sa.select(alerts.c.alert_id)
                                           .where(alerts.c.alert_id == alert_id)).first()
            if found is None:
                raise NotFound(f"no alert {alert_id!r}")
            txn.append([NewEvent(EventType.ALERT_HANDLED, {"alert_id": alert_id})])

    def change_settings(self, **values: Any) -> DeviceSettings:
        """Validated settings changes in one event; a new `face_engine` re-encodes the
        library first (switch_engine), so the door is never half-switched."""
        if "face_engine" in values:
            engine_name = self.settings().changed({"face_engine": values.pop("face_engine")})
            if engine_name:
                self.switch_engine(engine_name["face_engine"])
        with self.store.transaction() as txn:
            clean = load_settings(txn.connection).changed(values)
            if clean:
                txn.append([NewEvent(EventType.SETTINGS_CHANGED, {"values": clean})])
            return load_settings(txn.connection)

    def switch_engine(self, engine_name: str,
                      progress: Callable[[int, int], None] | None = None) -> SwitchReport:
        """Re-encode every sample the new engine's model lacks, then switch to it."""
        from device.library.engine_switch import switch_engine
        from device.recognition.engines import shared_engine

        engine = shared_engine(engine_name)
        report = switch_engine(self.store, engine, engine_name, progress)
        self._engine, self._cache = engine, None
        return report

    def library_models(self) -> dict[str, int]:
        """How many live samples each face model has."""
        with read_transaction(self.database.engine) as c:
            rows = c.execute(sa.select(face_samples.c.model, sa.func.count().label("n"))
                             .group_by(face_samples.c.model))
            return {r.model: r.n for r in rows}

    def raise_alert(self, kind: AlertKind, detail: str, snapshot: np.ndarray | None = None,
                    person_id: str | None = None, alert_id: str | None = None) -> str:
        """Raise an alert (shown on the screen, mailed, sent to the hub); its id."""
        from device.attendance import alert_event

        alert_id = alert_id or uuid.uuid4().hex
        with self.store.transaction() as txn:
            txn.append([alert_event(txn.connection, alert_id, kind, detail, snapshot,
                                    person_id)])
        return alert_id

    def record_door_opened(self, reason: DoorOpenReason, person_id: str | None,
                           pulse_seconds: float) -> None:
        """The relay took a pulse: the door opened."""
        self.store.append([NewEvent(EventType.DOOR_OPENED, {
            "person_id": person_id, "reason": DoorOpenReason(reason).value,
            "pulse_seconds": pulse_seconds})])

    def set_clock(self, requested: float, allowed: bool | None = None) -> ClockChange:
        """Set the system clock (a dry run unless FACEGATE_ALLOW_SET_TIME=1 or `allowed`)."""
        from device.clock import set_clock, setting_allowed

        return set_clock(requested, setting_allowed() if allowed is None else allowed)

    def verify(self) -> VerifyReport:
        return verify(self.store)

    def event_count(self) -> int:
        with read_transaction(self.database.engine) as c:
            return c.execute(sa.select(sa.func.count()).select_from(events)).scalar() or 0

    def now(self) -> float:
        return time.time()


def _json(text: str) -> dict:
    import json

    return json.loads(text)


def _same_photo(source: str) -> BadInput:
    from device.errors import PhotoRefused, QualityCode, QualityProblem
    from device.messages import problem_text

    problem = QualityProblem(QualityCode.SAME_PHOTO)
    return PhotoRefused(f"{source}: {problem_text(problem)}", source, problem)


def _clean_id(person_id: str) -> str:
    return check_id(person_id)


def _clean_name(name: str) -> str:
    return check_name(name)

