"""Sync over a local Mosquitto: draining an offline backlog, fanning the library out.

Each figure stands next to the naive way measured in the same run: one publish and one
wait for the hub's answer per event.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.report import Context, Figure
from device.eventlog.model import NewEvent
from device.events import EventType
from device.terminal import Terminal
from sync import payloads, topics
from sync.agent import SyncAgent
from sync.client import parse_broker
from sync.device_side import DeviceSync
from sync.hub.service import HubService
from sync.hub.store import HubStore, open_hub_engine
from sync.wire import WireEvent, from_wire
from tests.sync.harness import Broker, Runner, wait_for


def run(ctx: Context) -> list[Figure]:
    punches = 2_000 if ctx.quick else 10_000
    people = 2_000 if ctx.quick else 10_000
    naive = 200 if ctx.quick else 500
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        broker = Broker(work).start()
        try:
            return _drain(ctx, work, broker, punches, naive) + _fan_out(ctx, work, broker,
                                                                        people, naive)
        finally:
            broker.kill()


def _punch_events(n: int) -> list[NewEvent]:
    return [NewEvent(EventType.PUNCH_RECORDED, {"person_id": f"E{i % 500}", "name": "x",
                                                "status": "in", "time": 1.7e9 + i})
            for i in range(n)]


def _drain(ctx: Context, work: Path, broker: Broker, count: int, naive: int) -> list[Figure]:
    store = HubStore(open_hub_engine(str(work / "hub.sqlite")))
    hub = Runner(HubService(store, parse_broker(broker.url)))
    try:
        door = Terminal.open(work / "door.sqlite", device_id="door-bench")
        door.store.append(_punch_events(count))  # a week offline
        door.close()
        ctx.log(f"sync: draining {count} offline punches")
        started = time.perf_counter()
        agent = Runner(SyncAgent(str(work / "door.sqlite"), parse_broker(broker.url)))
        wait_for(lambda: DeviceSync(agent.service.terminal.store).acked_seq() == count, 600,
                 "the backlog to drain")
        ours = count / (time.perf_counter() - started)
        agent.stop()
        ctx.log(f"sync: naive, one publish and one wait per event, {naive} events")
        baseline = _naive_drain(broker, naive)
    finally:
        hub.stop()
    return [Figure("sync drain", f"{count} offline punches device->hub", ours, "events/s",
                   f"one publish + one ack wait per event ({naive} events)", baseline,
                   better="higher", target=">= 2000 events/s", met=ours >= 2000,
                   note="until the hub's acknowledgement of the last event (not PUBACK)")]


def _naive_drain(broker: Broker, count: int) -> float:
    acked = threading.Event()
    last = {"upto": 0}

    def on_message(_c, _u, message) -> None:
        last["upto"] = payloads.decode(message.payload, {"stored_upto": int})["stored_upto"]
        acked.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_message = on_message
    client.connect("127.0.0.1", broker.port)
    client.subscribe(topics.device_ack("door-naive"), qos=1)
    client.loop_start()
    time.sleep(0.3)
    started = time.perf_counter()
    for seq in range(1, count + 1):
        event = {"origin": "door-naive", "seq": seq, "type": EventType.PUNCH_RECORDED.value,
                 "version": 1, "wall_time": 1.7e9 + seq, "hlc": seq,
                 "payload": {"person_id": "E1", "name": "x", "status": "in"}}
        acked.clear()
        client.publish(topics.device_events("door-naive"),
                       payloads.encode({"device": "door-naive", "events": [event]}), qos=1)
        while last["upto"] < seq:
            if not acked.wait(10):
                raise RuntimeError("the hub stopped answering")
            acked.clear()
    rate = count / (time.perf_counter() - started)
    client.loop_stop()
    client.disconnect()
    return rate


def _library_changes(people: int, rng: np.random.Generator) -> list[WireEvent]:
    changes = []
    for i in range(people):
        vector = rng.standard_normal(128)
        changes.append(WireEvent("hub", 1, EventType.PERSON_ENROLLED, 1, 0.0, 0,
                                 {"person_id": f"E{i:05d}", "name": f"Person {i}"}))
        changes.append(WireEvent("hub", 1, EventType.FACE_SAMPLE_ADDED, 1, 0.0, 0,
                                 {"person_id": f"E{i:05d}", "sample_id": uuid.uuid4().hex,
                                  "quality": 500.0}, vector / np.linalg.norm(vector) * 0.6,
                                 b"\xff\xd8" + bytes(2000)))  # a crop-sized JPEG stand-in
    return changes


def _fan_out(ctx: Context, work: Path, broker: Broker, people: int,
             naive: int) -> list[Figure]:
    store = HubStore(open_hub_engine(str(work / "library-hub.sqlite")))
    store.append_library(_library_changes(people, np.random.default_rng(ctx.seed)))
    version, _ = store.library_state()
    hub = Runner(HubService(store, parse_broker(broker.url)))
    try:
        Terminal.open(work / "new-door.sqlite", device_id="door-new").close()
        ctx.log(f"sync: a new door receives {people} people ({version} library events)")
        started = time.perf_counter()
        agent = Runner(SyncAgent(str(work / "new-door.sqlite"), parse_broker(broker.url)))
        wait_for(lambda: DeviceSync(agent.service.terminal.store).library_version() == version,
                 600, "the library to arrive")
        ours = time.perf_counter() - started
        agent.stop()
        ctx.log(f"sync: naive library, one request and one wait per event, {naive} events")
        baseline_rate = _naive_library(work, broker, naive)
    finally:
        hub.stop()
    baseline = version / baseline_rate
    return [Figure("sync fan-out", f"{people}-person library to a new door", ours, "s",
                   f"one request + one wait per event (rate of {naive}, scaled to {version})",
                   baseline, target="< 10 s", met=ours < 10,
                   note="until the door has applied and sealed every sample")]


def _naive_library(work: Path, broker: Broker, count: int) -> float:
    terminal = Terminal.open(work / "naive-door.sqlite", device_id="door-naive-lib")
    device = DeviceSync(terminal.store)
    got = threading.Event()
    inbox: list[bytes] = []

    def on_message(_c, _u, message) -> None:
        inbox.append(message.payload)
        got.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_message = on_message
    client.connect("127.0.0.1", broker.port)
    client.subscribe(topics.device_library("door-naive-lib"), qos=1)
    client.loop_start()
    time.sleep(0.3)
    started = time.perf_counter()
    for after in range(count):
        got.clear()
        client.publish(topics.device_library_request("door-naive-lib"), payloads.encode(
            {"device": "door-naive-lib", "after": after, "limit": 1}), qos=1)
        if not got.wait(10):
            raise RuntimeError("the hub stopped answering")
        body = payloads.decode(inbox.pop(), {"events": list})
        device.apply_library([from_wire(e) for e in body["events"]])
    rate = count / (time.perf_counter() - started)
    client.loop_stop()
    client.disconnect()
    terminal.close()
    return rate
