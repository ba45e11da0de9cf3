"""docs/asyncapi.json: equal to what the code builds, and true of real traffic."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import jsonschema_rs
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device.attendance import Attendance
from device.event_schemas import FORMATS
from device.recognition.decision import Match, Verdict
from device.terminal import Terminal
from sync import asyncapi, payloads, topics
from tests.support.broker import wait_for
from tests.support.fleet import agent_on, hub_on
from tests.support.paths import REPO


def test_the_checked_in_document_is_the_one_the_code_builds() -> None:
    checked_in = json.loads((REPO / "docs" / "asyncapi.json").read_text())
    assert checked_in == json.loads(json.dumps(asyncapi.build())), \
        "run: python -m sync.asyncapi > docs/asyncapi.json"


def test_every_message_of_a_working_fleet_fits_its_channel(tmp_path: Path, broker,
                                                           data_dir: Path) -> None:
    seen: list[mqtt.MQTTMessage] = []
    spy = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    spy.on_message = lambda _c, _u, m: seen.append(m)
    spy.connect("127.0.0.1", broker.port)
    spy.subscribe("#", qos=1)
    spy.loop_start()
    db = tmp_path / "door.sqlite"
    door = Terminal.open(db, device_id="door-1")
    door.enroll("E1", "艾超", [data_dir / "faces" / "joe_biden" / "biden_1.jpg"])
    _hub, hub = hub_on(str(tmp_path / "hub.sqlite"), broker)
    agent = agent_on(db, broker.url)
    try:
        wait_for(lambda: any(m.topic.endswith("/ack") for m in seen), 30, "an ack")
        attendance = Attendance(door.store)
        attendance.on_match(Match(Verdict.KNOWN, "E1", 0.6, None, None))
        attendance.on_match(Match(Verdict.UNKNOWN, None, 1.3, None, None))
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = topics.device_replies("door-1", "op")
        properties.CorrelationData = b"c1"
        spy.publish(topics.device_commands("door-1"), payloads.encode({
            "request_id": uuid.uuid4().hex, "command": "list_library",
            "expires_at": time.time() + 60}), qos=1, properties=properties)
        spy.publish(topics.HUB_COMMANDS, payloads.encode({
            "request_id": uuid.uuid4().hex, "command": "devices",
            "expires_at": time.time() + 60, "reply_to": "op"}), qos=1)
        wait_for(lambda: any(m.topic.endswith("/access") for m in seen)
                 and any("/replies/" in m.topic for m in seen)
                 and any(m.topic.startswith("facegate/v1/hub/replies/") for m in seen), 30,
                 "punches, access decisions and both answers")
    finally:
        agent.stop()
        hub.stop()
        spy.loop_stop()
        door.close()
    validators = {address: jsonschema_rs.validator_for(
        asyncapi.payload_schema(kind), formats=FORMATS, validate_formats=True)
        for address, (kind, _, _) in asyncapi.CHANNELS.items()}
    channels_seen = set()
    for message in seen:
        if not message.payload:
            continue  # a cleared retained message
        channel = asyncapi.channel_of(message.topic)
        assert channel is not None, f"{message.topic} is in no channel of the document"
        kind = asyncapi.CHANNELS[channel][0]
        body = message.payload.decode() if kind in asyncapi.PLAIN_TEXT \
            else json.loads(message.payload)
        error = next(iter(validators[channel].iter_errors(body)), None)
        assert error is None, f"{message.topic}: {error}"
        channels_seen.add(channel)
    assert len(channels_seen) >= 12, sorted(channels_seen)
