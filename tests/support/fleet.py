"""A fleet on a real broker: hubs and door agents in threads, punches at a door, and the
fleet operator's MQTT 5 client that sends commands and collects the correlated answers."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device.eventlog.model import NewEvent
from device.terminal import Terminal
from sync import payloads, topics
from sync.agent import AgentConfig, SyncAgent
from sync.client import parse_broker
from sync.hub.service import HubService
from sync.hub.store import HubStore, open_hub_engine
from tests.support.broker import Broker, Runner, wait_for

FAST = AgentConfig(batch_size=50, ack_timeout=2.0, status_interval=1.0,
                   library_poll_interval=2.0)


def punches(terminal: Terminal, n: int, tag: str = "p") -> None:
    terminal.store.append([NewEvent("PunchRecorded", {
        "person_id": f"{tag}{i}", "name": f"{tag}{i}", "status": "in", "time": 1.7e9 + i})
        for i in range(n)])


def hub_on(db: str, broker: Broker, **kw) -> tuple[HubStore, Runner]:
    store = HubStore(open_hub_engine(db))
    return store, Runner(HubService(store, parse_broker(broker.url), **kw))


def agent_on(db: Path, url: str) -> Runner:
    return Runner(SyncAgent(str(db), parse_broker(url), FAST))


def device_punch_ids(hub: HubStore, device: str) -> list[int]:
    return sorted(p["seq"] for p in hub.punches() if p["device_id"] == device)


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

    def _on_message(self, _c, _u, message) -> None:
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
