"""docs/mosquitto/acl and facegate.conf on a real broker: each door only its own topics."""

from __future__ import annotations

import json
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from device.terminal import Terminal
from sync import payloads, topics
from sync.agent import SyncAgent
from sync.client import parse_broker
from sync.hub.service import HubService
from sync.hub.store import HubStore, open_hub_engine
from tests.support.broker import Runner, documented_broker, password, wait_for
from tests.support.fleet import FAST, device_punch_ids, punches

USERS = {user: password(user) for user in ("hub", "operator", "door-1", "door-2")}


@pytest.fixture
def secured(tmp_path: Path):
    """Mosquitto with the documented config (facegate.conf) and ACL, and a password file."""
    broker = documented_broker(tmp_path, users=USERS)
    yield broker
    broker.kill()


def _client(port: int, user: str | None) -> tuple[mqtt.Client, list]:
    received: list = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if user:
        client.username_pw_set(user, USERS[user])
    client.on_message = lambda _c, _u, m: received.append((m.topic, m.payload))
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client, received


@pytest.mark.slow
def test_doors_are_confined_to_their_own_topics(tmp_path, secured, monkeypatch) -> None:
    hub = HubStore(open_hub_engine(str(tmp_path / "hub.sqlite")))
    hub_runner = Runner(HubService(hub, parse_broker(secured.url, "hub", USERS["hub"])))
    door = Terminal.open(tmp_path / "d1.sqlite", device_id="door-1")
    punches(door, 30)
    door.close()
    monkeypatch.setenv("FACEGATE_MQTT_USERNAME", "door-1")
    monkeypatch.setenv("FACEGATE_MQTT_PASSWORD", USERS["door-1"])
    agent = Runner(SyncAgent(str(tmp_path / "d1.sqlite"), parse_broker(secured.url), FAST))
    spy, seen = _client(secured.port, "operator")
    spy.subscribe(topics.ALL_DEVICE_STATUS, qos=1)
    intruder, _ = _client(secured.port, "door-2")
    try:
        wait_for(lambda: len(device_punch_ids(hub, "door-1")) == 30, 30,
                 "door-1's punches through the ACL, credentials from the environment")
        fake = {"origin": "door-1", "seq": 31, "type": "PunchRecorded", "version": 1,
                "wall_time": 1.0, "hlc": 1, "payload": {"person_id": "x", "name": "x",
                                                        "status": "in"}}
        intruder.publish(topics.device_events("door-1"),
                         payloads.encode({"events": [fake]}), qos=1).wait_for_publish(5)
        intruder.publish(topics.device_commands("door-1"), payloads.encode(
            {"request_id": "r", "command": "open_door", "expires_at": time.time() + 60}),
            qos=1).wait_for_publish(5)
        intruder.publish(topics.device_status("door-1"), payloads.encode(
            {"state": "offline", "session": 999}), qos=1, retain=True).wait_for_publish(5)
        time.sleep(1.5)
        assert device_punch_ids(hub, "door-1") == list(range(1, 31))  # nothing forged
        assert all(json.loads(p).get("session") != 999 for _t, p in seen)
        anonymous = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        results = []
        anonymous.on_connect = lambda _c, _u, _f, rc, _p: results.append(rc)
        anonymous.connect("127.0.0.1", secured.port)
        anonymous.loop_start()
        wait_for(lambda: results, 5, "the broker's answer to an anonymous client")
        anonymous.loop_stop()
        assert results[0].is_failure
    finally:
        for c in (spy, intruder):
            c.loop_stop()
        agent.stop()
        hub_runner.stop()
