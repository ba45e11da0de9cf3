"""A real writer process for the durability tests: appends and says ACK after each commit.

usage: writer_process.py DB MODE COUNT TAG
  MODE "append": plain punch events through the event store
  MODE "punch":  punches of person `barack_obama` through the attendance desk (debounce 0)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from device.attendance import Attendance
from device.database import open_database
from device.eventlog.model import NewEvent
from device.recognition.decision import Match, Verdict
from device.store import EventStore


def main() -> None:
    db, mode, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    store = EventStore(open_database(db))
    desk = Attendance(store)
    known = Match(Verdict.KNOWN, "barack_obama", 0.3, None, None)
    for i in range(count):
        position: int | None
        if mode == "append":
            (event,) = store.append([NewEvent("PunchRecorded", {
                "person_id": tag, "name": tag, "status": "in", "time": float(i), "i": i})])
            position = event.position
        else:
            position = desk.on_match(known).position
        print(f"ACK {position}", flush=True)


if __name__ == "__main__":
    main()
