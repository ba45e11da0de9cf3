"""The one log follower: events after a position, of chosen types, whoever appended them."""

from __future__ import annotations

from pathlib import Path

from device.eventlog.model import NewEvent
from device.follower import LogFollower
from device.terminal import Terminal


def _punch(i: int) -> NewEvent:
    return NewEvent("PunchRecorded", {"person_id": f"p{i}", "name": "n", "status": "in",
                                      "time": 1.7e9 + i})


def test_a_follower_sees_what_another_writer_appends_after_it_started(db_path: Path) -> None:
    reader = Terminal.open(db_path, device_id="door-1")
    reader.store.append([_punch(0)])
    follower = LogFollower(reader.database.engine)  # from now on: not the first punch
    writer = Terminal.open(db_path)
    writer.store.append([_punch(1), NewEvent("AlertHandled", {"alert_id": "a"}), _punch(2)])
    assert [e.payload["person_id"] for e in follower.pull_all()
            if e.type == "PunchRecorded"] == ["p1", "p2"]
    assert follower.pull() == [] and not follower.has_new()
    punches_only = LogFollower(reader.database.engine, ["PunchRecorded"], position=0)
    writer.store.append([_punch(i) for i in range(3, 1203)])
    pulled = punches_only.pull_all(batch=500)
    assert len(pulled) == 1203 and all(e.type == "PunchRecorded" for e in pulled)
    assert punches_only.position == pulled[-1].position == punches_only.newest()
    writer.close()
    reader.close()
