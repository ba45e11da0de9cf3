"""The matcher's in-memory copy of the face library, following the log incrementally.

Loaded once at start from the face_samples projection, then kept current by reading only
library events newer than the last one it applied, whichever process appended them.
"""

from __future__ import annotations

import threading

import numpy as np
import sqlalchemy as sa

from device.biometrics import blob_to_encoding
from device.eventlog.sqlite import row_to_event
from device.events import LIBRARY_EVENTS, EventType, upcast
from device.recognition.matcher import FaceIndex
from device.storage.db import read_transaction
from device.storage.schema import events, face_samples, people

_LIBRARY_TYPES = [t.value for t in LIBRARY_EVENTS]


class LibraryCache:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.index = FaceIndex()
        self.names: dict[str, str] = {}
        self.position = 0
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock, read_transaction(self.engine) as c:
            self.position = c.execute(sa.select(sa.func.max(events.c.position))).scalar() or 0
            self.names = dict(c.execute(sa.select(people.c.person_id, people.c.name)).all())
            rows = c.execute(sa.select(face_samples.c.sample_id, face_samples.c.person_id,
                                       face_samples.c.encoding)).all()
        self.index = FaceIndex(capacity=max(1024, len(rows)))
        if rows:
            matrix = np.frombuffer(b"".join(r.encoding for r in rows), dtype="<f8")
            matrix = matrix.reshape(len(rows), -1)
            self.index.add_many([(r.sample_id, r.person_id, matrix[i])
                                 for i, r in enumerate(rows)])

    def refresh(self) -> bool:
        """Apply library changes appended since the last call; True if anything changed."""
        with self._lock, read_transaction(self.engine) as c:
            newest = c.execute(sa.select(sa.func.max(events.c.position))
                               .where(events.c.type.in_(_LIBRARY_TYPES))).scalar() or 0
            if newest <= self.position:
                return False
            rows = c.execute(sa.select(events).where(events.c.type.in_(_LIBRARY_TYPES),
                                                     events.c.position > self.position)
                             .order_by(events.c.position)).all()
            for row in rows:
                self._apply(c, row)
            self.position = newest
            return True

    def _apply(self, c: sa.Connection, row: sa.Row) -> None:
        event = row_to_event(row)
        payload = upcast(event)
        if event.type == EventType.PERSON_ENROLLED:
            self.names[payload["person_id"]] = payload["name"]
        elif event.type == EventType.PERSON_REMOVED:
            self.index.remove_person(payload["person_id"])
            self.names.pop(payload["person_id"], None)
        elif event.type == EventType.FACE_SAMPLE_ADDED:
            blob = c.execute(sa.select(face_samples.c.encoding)
                             .where(face_samples.c.sample_id == payload["sample_id"])).scalar()
            if blob is not None:  # None: the person was removed since
                self.index.add(payload["sample_id"], payload["person_id"], blob_to_encoding(blob))
