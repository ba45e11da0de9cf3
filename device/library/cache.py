"""The matcher's in-memory copy of the face library, following the log incrementally.

Loaded once at start from the face_samples projection, then kept current by reading only
library events newer than the last one it applied, whichever process appended them.
Names are not held: one is read from the people projection when a face is recognised
(100k names would be ~10 MB of a door process that should stay under 250 MB).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

import numpy as np
import sqlalchemy as sa

from device.biometrics import blob_to_encoding
from device.event_schemas import event_problem
from device.eventlog.model import RecordedEvent
from device.events import LIBRARY_EVENTS, EventType, upcast
from device.follower import LogFollower, head_position
from device.recognition.face_models import LEGACY_MODEL, FaceModel
from device.recognition.matcher import FaceIndex
from device.storage.db import read_transaction
from device.storage.schema import face_samples, people

_LIBRARY_TYPES = [t.value for t in LIBRARY_EVENTS]
_LOAD_CHUNK = 2048  # rows per read: fewer Python objects alive at once, less heap left behind


class LibraryCache:
    """The samples of one face model: the matcher compares like with like."""

    def __init__(self, engine: sa.Engine, model: FaceModel = LEGACY_MODEL) -> None:
        self.engine = engine
        self.model = model
        self.index = FaceIndex(dim=model.dim)
        self.follower = LogFollower(engine, _LIBRARY_TYPES, position=0)
        self._lock = threading.Lock()

    def load(self) -> None:
        """Read the whole library in one snapshot, a chunk of rows at a time: the peak
        stays near the index's own size (a list of all rows would triple it)."""
        with self._lock, read_transaction(self.engine) as c:
            self.follower.position = head_position(c)
            mine = face_samples.c.model == self.model.model_id
            count = c.execute(sa.select(sa.func.count()).select_from(face_samples)
                              .where(mine)).scalar()
            index = FaceIndex(dim=self.model.dim, capacity=max(1024, count or 0))
            result = c.execute(sa.select(face_samples.c.sample_id, face_samples.c.person_id,
                                         face_samples.c.encoding).where(mine))
            for chunk in result.partitions(_LOAD_CHUNK):
                matrix = np.frombuffer(b"".join(r.encoding for r in chunk), dtype="<f8")
                index.add_matrix([r.sample_id for r in chunk], [r.person_id for r in chunk],
                                 matrix.reshape(len(chunk), -1))
            self.index = index
            c.exec_driver_sql("PRAGMA shrink_memory")  # the pages the read brought in
        _return_freed_memory()

    def name_of(self, person_id: str) -> str | None:
        with read_transaction(self.engine) as c:
            return c.execute(sa.select(people.c.name)
                             .where(people.c.person_id == person_id)).scalar()

    def refresh(self) -> bool:
        """Apply library changes appended since the last call; True if anything changed."""
        with self._lock, read_transaction(self.engine) as c:
            if head_position(c, self.follower.types) <= self.follower.position:
                return False
            while batch := self.follower.pull(_LOAD_CHUNK, connection=c):
                for event in batch:
                    self._apply(c, event)
            return True

    @property
    def position(self) -> int:
        """The log position up to which this cache holds the library."""
        return self.follower.position

    def _apply(self, c: sa.Connection, event: RecordedEvent) -> None:
        if event_problem(event) is not None:
            return  # quarantined: the projections did not apply it either
        payload = upcast(event)
        if event.type == EventType.PERSON_REMOVED:
            self.index.remove_person(payload["person_id"])
        elif event.type == EventType.FACE_SAMPLE_ADDED and payload["model"] == self.model.model_id:
            blob = c.execute(sa.select(face_samples.c.encoding).where(
                face_samples.c.sample_id == payload["sample_id"],
                face_samples.c.model == self.model.model_id)).scalar()
            if blob is not None:  # None: the person was removed since
                self.index.add(payload["sample_id"], payload["person_id"], blob_to_encoding(blob))


def _return_freed_memory() -> None:
    """Hand the heap pages freed by a bulk load back to the OS (glibc keeps them: ~30 MB
    after loading 300k samples). Elsewhere a no-op."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return
    if trim is not None:
        trim(0)
