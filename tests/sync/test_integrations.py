"""Integrators on the documented broker and ACL: availability, punch and access topics
without face data, Home Assistant discovery and its open button (issue 17 items 1-3)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from device.attendance import Attendance
from device.errors import BadInput
from device.eventlog.model import NewEvent
from device.events import EventType
from device.recognition.decision import Match, Verdict
from device.terminal import Terminal
from sync import integrations, payloads
from sync.agent import SyncAgent
from sync.client import parse_broker
from sync.hub.service import HubService
from sync.hub.store import HubStore, open_hub_engine
from tests.support.broker import Runner, documented_broker, password, wait_for
from tests.support.fleet import FAST

USERS = {user: password(user) for user in ("hub", "operator", "door-1")}


@pytest.fixture
def secured(tmp_path: Path):
    broker = documented_broker(tmp_path, users=USERS)
    yield broker
    broker.kill()


class Listener:
    """An operator-role client (Home Assistant's place) that keeps what it receives."""

    def __init__(self, port: int, *subscriptions: str) -> None:
        self.messages: list[mqtt.MQTTMessage] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.username_pw_set("operator", USERS["operator"])
        self.client.on_message = lambda _c, _u, m: self.messages.append(m)
        self.client.connect("127.0.0.1", port)
        for topic in subscriptions:
            self.client.subscribe(topic, qos=1)
        self.client.loop_start()

    def on(self, topic: str) -> list[bytes]:
        return [bytes(m.payload) for m in list(self.messages) if m.topic == topic]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def _agent(db: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> Runner:
    monkeypatch.setenv("FACEGATE_MQTT_USERNAME", "door-1")
    monkeypatch.setenv("FACEGATE_MQTT_PASSWORD", USERS["door-1"])
    return Runner(SyncAgent(str(db), parse_broker(url), FAST))


@pytest.mark.slow
def test_punches_and_access_decisions_reach_integrators_without_face_data(
        tmp_path: Path, secured, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    db = tmp_path / "door.sqlite"
    door = Terminal.open(db, device_id="door-1")
    door.change_settings(device_name="Front door")
    door.enroll("E1", "艾超", [data_dir / "faces" / "joe_biden" / "biden_1.jpg"])
    listener = Listener(secured.port, "facegate/v1/devices/+/punches",
                        "facegate/v1/devices/+/access", "facegate/v1/devices/+/availability",
                        "facegate/v1/devices/+/events")
    agent = _agent(db, secured.url, monkeypatch)
    try:
        wait_for(lambda: listener.on(integrations.availability("door-1")) == [b"online"], 20,
                 "the retained availability")
        attendance = Attendance(door.store)
        attendance.on_match(Match(Verdict.KNOWN, "E1", 0.61, None, None))
        attendance.on_match(Match(Verdict.UNKNOWN, None, 1.2, None, None))
        wait_for(lambda: len(listener.on(integrations.access("door-1"))) == 2, 20,
                 "two access decisions")
        (punch,) = [json.loads(p) for p in listener.on(integrations.punches("door-1"))]
        assert (punch["person_id"], punch["name"], punch["status"], punch["door_name"]) == (
            "E1", "艾超", "in", "Front door")
        assert punch["time"][-6] in "+-" and punch["time"][-3] == ":"  # an offset
        granted, denied = [json.loads(p) for p in listener.on(integrations.access("door-1"))]
        assert (granted["decision"], granted["name"], granted["event_type"]) == (
            "granted", "艾超", "granted")
        assert (denied["decision"], denied["reason"], denied["person_id"]) == (
            "denied", "unknown", None)
        everything = b"".join(listener.on(integrations.punches("door-1"))
                              + listener.on(integrations.access("door-1")))
        assert b"encoding" not in everything and b"crop" not in everything
        assert listener.on("facegate/v1/devices/door-1/events") == []  # the ACL holds
    finally:
        agent.stop()
        listener.close()
        door.close()
    # A clean stop says offline; after a restart nothing is published twice.
    seen = Listener(secured.port, integrations.availability("door-1"))
    try:
        wait_for(lambda: seen.on(integrations.availability("door-1")) == [b"offline"], 10,
                 "the retained offline")
    finally:
        seen.close()
    again = Listener(secured.port, "facegate/v1/devices/+/punches")
    restarted = _agent(db, secured.url, monkeypatch)
    try:
        door = Terminal.open(db)
        door.store.append([NewEvent(EventType.PUNCH_RECORDED, {
            "person_id": "E1", "name": "艾超", "status": "out", "time": time.time()})])
        door.close()
        wait_for(lambda: len(again.on(integrations.punches("door-1"))) >= 1, 20, "the punch")
        time.sleep(1.0)
        assert [json.loads(p)["status"] for p in again.on(integrations.punches("door-1"))] \
            == ["out"]
    finally:
        restarted.stop()
        again.close()


@pytest.mark.slow
def test_home_assistant_discovers_the_door_and_its_button_opens_it(
        tmp_path: Path, secured, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "door.sqlite"
    Terminal.open(db, device_id="door-1").close()
    # A press left retained on the broker must never open the door at the next connect.
    # (One operator user: its client id is its name, so one connection at a time.)
    press = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    press.username_pw_set("operator", USERS["operator"])
    press.connect("127.0.0.1", secured.port)
    press.loop_start()
    press.publish(integrations.open_button("door-1"), b"PRESS", qos=1,
                  retain=True).wait_for_publish()
    press.loop_stop()
    press.disconnect()
    listener = Listener(secured.port, "homeassistant/#")
    agent = _agent(db, secured.url, monkeypatch)
    try:
        def configs() -> dict[str, dict]:
            return {m.topic: json.loads(m.payload) for m in list(listener.messages)
                    if m.topic.startswith("homeassistant/")}
        wait_for(lambda: len(configs()) == 7, 20, "seven discovery configs")
        found = configs()
        components = sorted(t.split("/")[1] for t in found)
        assert components == ["binary_sensor", "button", "event", "sensor", "sensor", "sensor",
                              "sensor"]
        for topic, config in found.items():
            assert topic.startswith("homeassistant/") and "/facegate_door-1/" in topic
            assert config["device"]["identifiers"] == ["facegate_door-1"]
            assert config["device"]["name"] == "FaceGate" and config["unique_id"]
        button = found["homeassistant/button/facegate_door-1/open/config"]
        assert button["availability_topic"] == integrations.availability("door-1")
        # Home Assistant presses the button (as the operator user): the door records the
        # open_door command its door process acts on.
        listener.close()
        press.connect("127.0.0.1", secured.port)
        press.loop_start()
        press.publish(button["command_topic"], b"PRESS", qos=1).wait_for_publish()
        press.loop_stop()
        press.disconnect()

        def opened() -> list[dict]:
            door = Terminal.open(db)
            try:
                return [e.payload for e in door.store.read()
                        if e.type == EventType.COMMAND_RECEIVED
                        and e.payload["command"] == "open_door"]
            finally:
                door.close()
        wait_for(lambda: len(opened()) >= 1, 20, "the open_door command in the log")
        time.sleep(0.5)
        assert len(opened()) == 1 and opened()[0]["status"] == "ok"
        press.loop_stop()
        press.disconnect()
        # Decommissioned, the door withdraws what it announced: Home Assistant forgets it.
        assert agent.service._decommission(agent.service.terminal, {}) == {"withdrawn": 9}
        time.sleep(0.5)
        after = Listener(secured.port, "homeassistant/#", "facegate/v1/devices/door-1/#")
        time.sleep(1.0)
        retained = [m.topic for m in list(after.messages) if m.payload]
        after.close()
        assert retained == []
    finally:
        agent.stop()
        listener.close()


def test_a_hub_mirrors_a_dead_doors_will_into_its_availability(
        tmp_path: Path, secured) -> None:
    hub = HubStore(open_hub_engine(str(tmp_path / "hub.sqlite")))
    runner = Runner(HubService(hub, parse_broker(secured.url, "hub", USERS["hub"])))
    listener = Listener(secured.port, integrations.availability("door-1"))
    door = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5,
                       client_id="door-1")
    door.username_pw_set("door-1", USERS["door-1"])
    will = payloads.encode({"device": "door-1", "state": "offline", "session": 1})
    door.will_set("facegate/v1/devices/door-1/status", will, qos=1, retain=True)
    try:
        wait_for(lambda: runner.service.connected, 20, "the hub")
        door.connect("127.0.0.1", secured.port)
        door.loop_start()
        door.publish(integrations.availability("door-1"), b"online", qos=1,
                     retain=True).wait_for_publish()
        wait_for(lambda: listener.on(integrations.availability("door-1")) == [b"online"], 10,
                 "online")
        door.loop_stop()
        sock = door.socket()
        assert sock is not None
        sock.close()  # the door dies: the broker sends its will
        wait_for(lambda: listener.on(integrations.availability("door-1"))[-1:] == [b"offline"],
                 20, "the hub to mirror the will")
    finally:
        listener.close()
        runner.stop()


def test_discovery_skips_an_id_home_assistant_refuses() -> None:
    assert integrations.discovery_messages("门-1", "Door", "homeassistant") == []
    assert len(integrations.discovery_messages("door_1", "Door", "ha")) == 7


def test_discovery_is_off_by_a_setting_and_its_prefix_is_a_setting(
        tmp_path: Path, secured, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "door.sqlite"
    door = Terminal.open(db, device_id="door-1")
    door.change_settings(ha_discovery="off")
    door.close()
    listener = Listener(secured.port, "homeassistant/#", integrations.availability("door-1"))
    agent = _agent(db, secured.url, monkeypatch)
    try:
        wait_for(lambda: listener.on(integrations.availability("door-1")) == [b"online"], 20,
                 "online")
        time.sleep(1.0)
        assert [m.topic for m in listener.messages if m.topic.startswith("homeassistant/")] \
            == []
    finally:
        agent.stop()
        listener.close()
    door = Terminal.open(db)
    try:
        with pytest.raises(BadInput, match="ha_discovery_prefix"):
            door.change_settings(ha_discovery_prefix="home/#")
    finally:
        door.close()
