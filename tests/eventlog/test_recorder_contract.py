"""One contract, two recorders: in-memory and SQLite must behave the same."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from device.database import open_database
from device.eventlog.chain import verify_chain
from device.eventlog.memory import InMemoryRecorder
from device.eventlog.model import GENESIS_HASH, NewEvent, RemoteEvent
from device.eventlog.recorder import Recorder


@pytest.fixture(params=["memory", "sqlite"])
def recorder(request: pytest.FixtureRequest, tmp_path) -> Iterator[Recorder]:
    if request.param == "memory":
        yield InMemoryRecorder("door-a")
        return
    database = open_database(tmp_path / "log.sqlite", device_id="door-a")
    yield database.recorder
    database.close()


def punch(n: int) -> NewEvent:
    return NewEvent("PunchRecorded", {"person_id": f"p{n}", "name": "艾超", "n": n})


def test_empty_log_has_genesis_head(recorder: Recorder) -> None:
    head = recorder.head()
    assert (head.position, head.hash, head.hlc) == (0, GENESIS_HASH, 0)
    assert recorder.read() == []


def test_append_assigns_positions_sequences_and_chains_hashes(recorder: Recorder) -> None:
    first = recorder.append([punch(1), punch(2)])
    second = recorder.append([punch(3)])
    events = recorder.read()
    assert [e.position for e in events] == [1, 2, 3]
    assert [(e.origin, e.seq) for e in events] == [("door-a", 1), ("door-a", 2), ("door-a", 3)]
    assert events == first + second
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert verify_chain(events, GENESIS_HASH).ok
    assert events[2].payload == {"person_id": "p3", "name": "艾超", "n": 3}


def test_clock_never_goes_backwards_even_if_wall_clock_does(recorder: Recorder) -> None:
    recorder.append([punch(1)], now=2_000_000_000.0)
    recorder.append([punch(2)], now=1_000_000_000.0)  # the RTC was reset to the past
    recorder.append([punch(3)], now=1_000_000_000.0)
    clocks = [e.hlc for e in recorder.read()]
    assert clocks == sorted(clocks) and len(set(clocks)) == 3


def test_failed_transaction_leaves_nothing(recorder: Recorder) -> None:
    recorder.append([punch(1)])
    with pytest.raises(RuntimeError), recorder.transaction() as txn:
        txn.append([punch(2), punch(3)])
        raise RuntimeError("power cut")
    assert [e.seq for e in recorder.read()] == [1]
    assert recorder.append([punch(4)])[0].seq == 2


def test_remote_events_keep_their_id_and_are_applied_once(recorder: Recorder) -> None:
    remote = RemoteEvent("hub", 7, "PersonEnrolled", 1, 1.5, 99, {"person_id": "x"})
    assert len(recorder.append_remote([remote, remote])) == 1
    assert recorder.append_remote([remote]) == []
    local = recorder.append([punch(1)])[0]
    assert (local.origin, local.seq) == ("door-a", 1)
    assert local.hlc > 99
    assert verify_chain(recorder.read(), GENESIS_HASH).ok


def test_read_filters_and_pages(recorder: Recorder) -> None:
    recorder.append([punch(n) for n in range(1, 8)])
    recorder.append([NewEvent("PersonRemoved", {"person_id": "p1"})])
    assert [e.seq for e in recorder.read(after=2, limit=3)] == [3, 4, 5]
    assert [e.type for e in recorder.read(types={"PersonRemoved"})] == ["PersonRemoved"]
    assert [e.position for e in recorder.iterate(batch=3)] == list(range(1, 9))


def test_sealed_bytes_are_stored_and_hashed(recorder: Recorder) -> None:
    recorder.append([NewEvent("FaceSampleAdded", {"sample_id": "s"}, sealed=b"\x00secret")])
    (event,) = recorder.read()
    assert event.sealed == b"\x00secret"
    assert verify_chain([event], GENESIS_HASH).ok
