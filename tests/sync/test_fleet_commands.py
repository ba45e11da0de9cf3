"""Fleet management over topics: commands with expiry, idempotency and MQTT 5 responses."""

from __future__ import annotations

import json
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
import sqlalchemy as sa
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device.events import EventType
from device.storage.db import read_transaction
from device.storage.schema import events
from sync import payloads, topics
from tests.sync.harness import wait_for
from tests.sync.test_sync_end_to_end import agent_on


class Operator:
    """The fleet operator's client: sends commands, collects correlated responses."""

    def __init__(self, port: int) -> None:
        self.responses: dict[bytes, dict] = {}
        self.statuses: list[dict] = []
        self.user = f"op-{uuid.uuid4().hex[:6]}"
        self.reply_to = topics.hub_replies(self.user)  # for hub commands
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(self.reply_to, qos=1)
        self.client.subscribe(topics.all_device_replies(self.user), qos=1)
        self.client.subscribe(topics.ALL_DEVICE_STATUS, qos=1)
        self.client.loop_start()
        time.sleep(0.3)

    def _on_message(self, _c, _u, message) -> None:  # type: ignore[no-untyped-def]
        body = json.loads(message.payload)
        if message.topic == self.reply_to or message.topic.endswith(f"/replies/{self.user}"):
            self.responses[message.properties.CorrelationData] = body
        else:
            self.statuses.append(body)

    def send(self, device: str, command: str, args: dict | None = None,
             request_id: str | None = None, expires_in: float = 30.0) -> dict:
        correlation = uuid.uuid4().bytes
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = topics.device_replies(device, self.user)
        properties.CorrelationData = correlation
        body = {"request_id": request_id or uuid.uuid4().hex, "command": command,
                "args": args or {}, "expires_at": time.time() + expires_in}
        self.client.publish(topics.device_commands(device), payloads.encode(body), qos=1,
                            properties=properties)
        return wait_for(lambda: self.responses.get(correlation), 20, f"a reply to {command}")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def _commands_in_log(agent) -> list[dict]:  # type: ignore[no-untyped-def]
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
