"""Fleet management over topics: commands with expiry, idempotency and MQTT 5 responses."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from device.events import EventType
from device.storage.db import read_transaction
from device.storage.schema import events
from sync import payloads, topics
from tests.support.broker import wait_for
from tests.support.fleet import Operator, agent_on


def _commands_in_log(agent) -> list[dict]:
    with read_transaction(agent.service.terminal.database.engine) as c:
        rows = c.execute(sa.select(events.c.payload).where(
            events.c.type == EventType.COMMAND_RECEIVED.value)).all()
    return [json.loads(r.payload) for r in rows]


@pytest.mark.slow
def test_commands_run_once_stale_ones_never(tmp_path, broker, enrolled_db) -> None:
    agent = agent_on(enrolled_db, broker.url)
    operator = Operator(broker.port)
    try:
        wait_for(lambda: agent.service.connected, what="agent online")
        listed = operator.send("door-t", "list_library")
        assert listed["status"] == "ok" and len(listed["result"]) == 6
        stale = operator.send("door-t", "open_door", expires_in=-60)
        assert stale["status"] == "expired"
        opened = operator.send("door-t", "open_door", request_id="open-1")
        again = operator.send("door-t", "open_door", request_id="open-1")  # redelivered
        assert opened["status"] == again["status"] == "ok"
        door_commands = [c for c in _commands_in_log(agent) if c["command"] == "open_door"]
        assert [(c["request_id"], c["status"]) for c in door_commands] == [
            (door_commands[0]["request_id"], "expired"), ("open-1", "ok")]
        removed = operator.send("door-t", "remove_person", {"person_id": "kit_harington"},
                                request_id="rm-1")
        assert removed == {"v": 1, "request_id": "rm-1", "status": "ok",
                           "result": {"removed": "kit_harington"}}
        assert operator.send("door-t", "remove_person", {"person_id": "kit_harington"},
                             request_id="rm-1") == removed  # idempotent: same answer
        missing = operator.send("door-t", "remove_person", {"person_id": "nobody"})
        assert missing["status"] == "error" and "no person" in missing["error"]
        bad = operator.send("door-t", "clear_records", {"from": "x"})
        assert bad["status"] == "error" and "bad arguments" in bad["error"]
        unknown = operator.send("door-t", "self_destruct")
        assert unknown["status"] == "unknown_command"
        crops = operator.send("door-t", "face_crops", {"person_id": "joe_biden"})
        assert len(crops["result"]) == 2
        assert operator.send("door-t", "status")["result"]["people"] == 5
    finally:
        operator.close()
        agent.stop()


@pytest.mark.slow
def test_a_late_will_from_an_old_connection_is_overruled(tmp_path, broker, enrolled_db) -> None:
    agent = agent_on(enrolled_db, broker.url)
    operator = Operator(broker.port)
    try:
        wait_for(lambda: agent.service.connected, what="agent online")
        session = agent.service.session
        stale = payloads.encode({"device": "door-t", "state": "offline", "session": session - 1})
        operator.client.publish(topics.device_status("door-t"), stale, qos=1, retain=True)
        wait_for(lambda: operator.statuses and operator.statuses[-1]["state"] == "online"
                 and operator.statuses[-1]["session"] == session, 10,
                 "the agent to restate that it is online")
    finally:
        operator.close()
        agent.stop()


@pytest.mark.slow
def test_agent_survives_malformed_messages(tmp_path, broker, enrolled_db) -> None:
    agent = agent_on(enrolled_db, broker.url)
    operator = Operator(broker.port)
    try:
        wait_for(lambda: agent.service.connected, what="agent online")
        for topic in (topics.device_ack("door-t"), topics.device_library("door-t"),
                      topics.LIBRARY_BROADCAST):
            for garbage in (b"", b"\x00\xff", b"{}", b'{"v":1,"events":[{"seq":1}]}',
                            b'{"v":1,"stored_upto":"all"}'):
                operator.client.publish(topic, garbage, qos=1)
        bad = operator.client.publish(topics.device_commands("door-t"), b"not json", qos=1)
        bad.wait_for_publish(5)
        assert operator.send("door-t", "list_library")["status"] == "ok"  # still serving
        assert agent.thread.is_alive()
    finally:
        operator.close()
        agent.stop()
