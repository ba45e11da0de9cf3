"""A device that punches continuously while its sync agent runs: the SIGKILL target.

usage: agent_process.py DB BROKER_URL   (prints "PUNCH <seq>" after each committed punch)
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from device.database import open_database
from device.eventlog.model import NewEvent
from device.store import EventStore
from sync.agent import AgentConfig, SyncAgent
from sync.client import parse_broker


def main() -> None:
    db, url = sys.argv[1], sys.argv[2]
    agent = SyncAgent(db, parse_broker(url), AgentConfig(batch_size=20, ack_timeout=1.0))
    threading.Thread(target=agent.run, daemon=True).start()
    store = EventStore(open_database(db))
    i = 0
    while True:
        (event,) = store.append([NewEvent("PunchRecorded", {
            "person_id": f"p{i}", "name": "x", "status": "in", "time": time.time()})])
        print(f"PUNCH {event.seq}", flush=True)
        i += 1
        time.sleep(0.005)


if __name__ == "__main__":
    main()
