"""Replaying any prefix of the log in any chunking gives the same read models."""

from __future__ import annotations

import hashlib

import numpy as np
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from device import biometrics
from device.eventlog.memory import InMemoryRecorder
from device.eventlog.model import NewEvent, RecordedEvent
from device.events import EventType
from device.projections import ALL_PROJECTIONS, Projector
from device.storage.schema import metadata, projection_positions, subject_keys

PEOPLE = ["p1", "p2", "艾超"]
KEY = b"k" * 32

step = st.one_of(
    st.tuples(st.just("enrol"), st.sampled_from(PEOPLE), st.sampled_from(["Ann", "艾超", "Bo"])),
    st.tuples(st.just("sample"), st.sampled_from(PEOPLE), st.integers(0, 9)),
    st.tuples(st.just("remove"), st.sampled_from(PEOPLE), st.just(0)),
    st.tuples(st.just("punch"), st.sampled_from(PEOPLE), st.integers(0, 100)),
    st.tuples(st.just("access"), st.sampled_from(PEOPLE), st.integers(0, 100)),
    st.tuples(st.just("alert"), st.just(""), st.integers(0, 5)),
    st.tuples(st.just("handle"), st.just(""), st.integers(0, 5)),
    st.tuples(st.just("setting"), st.just(""), st.integers(0, 100)),
    st.tuples(st.just("clear"), st.just(""), st.integers(0, 100)),
)


def _event(kind: str, who: str, n: int, i: int) -> NewEvent:
    if kind == "enrol":
        return NewEvent(EventType.PERSON_ENROLLED, {"person_id": who, "name": f"{n}"})
    if kind == "sample":
        sample_id = f"s{i}"
        encoding = np.full(128, n / 10.0)
        sealed = biometrics.seal(KEY, biometrics.pack_sample(encoding, b"jpeg"), sample_id)
        return NewEvent(EventType.FACE_SAMPLE_ADDED, {
            "person_id": who, "sample_id": sample_id, "key_id": "k", "quality": 1.0},
            sealed=sealed)
    if kind == "remove":
        return NewEvent(EventType.PERSON_REMOVED, {"person_id": who})
    if kind == "punch":
        return NewEvent(EventType.PUNCH_RECORDED, {"person_id": who, "name": who,
                                                   "status": "in", "time": float(n)})
    if kind == "access":
        return NewEvent(EventType.ACCESS_DECIDED, {"person_id": who, "decision": "granted",
                                                   "reason": "recognised", "distance": 0.3})
    if kind == "alert":
        return NewEvent(EventType.ALERT_RAISED, {"alert_id": f"a{n}-{i}", "kind": "unknown_face",
                                                 "detail": ""})
    if kind == "handle":
        return NewEvent(EventType.ALERT_HANDLED, {"alert_id": f"a{n}-{max(i - 1, 0)}"})
    if kind == "setting":
        return NewEvent(EventType.SETTINGS_CHANGED, {"values": {"debounce_seconds": float(n)}})
    return NewEvent(EventType.RECORDS_CLEARED, {"from": float(n), "to": float(n + 30)})


def _log(steps: list[tuple[str, str, int]]) -> list[RecordedEvent]:
    recorder = InMemoryRecorder("door-p")
    for i, (kind, who, n) in enumerate(steps):
        recorder.append([_event(kind, who, n, i)], now=1000.0 + i)
    return recorder.read()


def _project(events: list[RecordedEvent], chunks: list[int]) -> str:
    engine = sa.create_engine("sqlite://")
    tables = [t for p in ALL_PROJECTIONS for t in p.tables] + [projection_positions, subject_keys]
    metadata.create_all(engine, tables=tables)
    projector = Projector()
    with engine.begin() as c:
        c.execute(subject_keys.insert().values(key_id="k", key=KEY))
    start = 0
    for size in chunks:  # each chunk in a transaction of its own, as live appends are
        with engine.begin() as c:
            projector.apply(c, events[start:start + size])
        start += size
    with engine.begin() as c:
        projector.apply(c, events[start:])
    digest = hashlib.sha256()
    with engine.connect() as c:
        for table in tables:
            if table is subject_keys:
                continue
            for row in c.execute(sa.select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(step, max_size=40), data=st.data())
def test_any_prefix_in_any_chunking_matches_one_pass(steps, data) -> None:
    events = _log(steps)
    prefix = data.draw(st.integers(0, len(events)), label="prefix")
    chunks = data.draw(st.lists(st.integers(1, 6), max_size=12), label="chunks")
    assert _project(events[:prefix], chunks) == _project(events[:prefix], [])


@settings(max_examples=30, deadline=None)
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_reapplying_events_already_seen_changes_nothing(steps) -> None:
    """A projection skips what its stored position says it has applied (at-least-once safe)."""
    events = _log(steps)
    half = len(events) // 2
    once = _project(events, [])
    twice = _project(events[:half] + events, [half])
    assert once == twice
