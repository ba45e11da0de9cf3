"""Nothing acknowledged is lost: broker restarts, SIGKILL, network cuts, a hub down."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from device.terminal import Terminal
from sync import payloads, topics
from sync.device_side import DeviceSync
from tests.support.broker import Proxy, wait_for
from tests.support.fleet import agent_on, device_punch_ids, hub_on, punches

AGENT_PROCESS = Path(__file__).with_name("agent_process.py")


def _all_delivered(hub, agent, device: str, count: int) -> None:
    wait_for(lambda: len(device_punch_ids(hub, device)) >= count, 60,
             f"{count} punches from {device} at the hub")
    assert device_punch_ids(hub, device) == list(range(1, count + 1))  # none lost, none twice
    wait_for(lambda: DeviceSync(agent.service.terminal.store).acked_seq() == count, 30,
             "the device's acknowledged cursor")


@pytest.mark.slow
def test_broker_restart_without_persistence_loses_nothing(tmp_path, broker) -> None:
    device = Terminal.open(tmp_path / "door.sqlite", device_id="door-r")
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    agent = agent_on(tmp_path / "door.sqlite", broker.url)
    try:
        punches(device, 300, "a")
        broker.restart()  # whatever was in flight in the broker is gone
        punches(device, 300, "b")
        _all_delivered(hub, agent, "door-r", 600)
    finally:
        agent.stop()
        hub_runner.stop()
        device.close()


@pytest.mark.slow
def test_network_cut_and_restore(tmp_path, broker) -> None:
    proxy = Proxy(broker.port)
    device = Terminal.open(tmp_path / "door.sqlite", device_id="door-n")
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    agent = agent_on(tmp_path / "door.sqlite", proxy.url)
    try:
        punches(device, 50, "a")
        wait_for(lambda: len(hub.punches()) == 50, what="first punches")
        proxy.cut()
        punches(device, 400, "b")  # offline
        time.sleep(1.0)
        assert len(hub.punches()) == 50
        proxy.restore()
        _all_delivered(hub, agent, "door-n", 450)
    finally:
        agent.stop()
        hub_runner.stop()
        proxy.close()
        device.close()


@pytest.mark.slow
def test_hub_down_for_a_while_then_back(tmp_path, broker) -> None:
    device = Terminal.open(tmp_path / "door.sqlite", device_id="door-h")
    agent = agent_on(tmp_path / "door.sqlite", broker.url)
    try:
        punches(device, 200)
        time.sleep(2.5)  # published to nobody ("no matching subscribers"): still pending
        assert DeviceSync(device.store).acked_seq() == 0
        hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
        _all_delivered(hub, agent, "door-h", 200)
        hub_runner.stop()
    finally:
        agent.stop()
        device.close()


@pytest.mark.slow
def test_sigkill_of_the_agent_mid_publish(tmp_path, broker) -> None:
    db = tmp_path / "door.sqlite"
    Terminal.open(db, device_id="door-k").close()
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    confirmed: list[int] = []
    try:
        for round_ in range(4):
            process = subprocess.Popen([sys.executable, str(AGENT_PROCESS), str(db), broker.url],
                                       stdout=subprocess.PIPE, text=True)
            assert process.stdout is not None
            deadline = time.monotonic() + 1.0 + round_ * 0.3
            while time.monotonic() < deadline:
                line = process.stdout.readline()
                if line.startswith("PUNCH"):
                    confirmed.append(int(line.split()[1]))
            process.send_signal(signal.SIGKILL)
            process.wait()
        assert len(confirmed) > 50
        agent = agent_on(db, broker.url)  # a restarted agent drains the rest
        try:
            total = max(confirmed)
            wait_for(lambda: len(device_punch_ids(hub, "door-k")) >= total, 60, "all punches")
            stored = device_punch_ids(hub, "door-k")
            assert set(confirmed) <= set(stored)
            assert stored == list(range(1, len(stored) + 1))  # contiguous, no duplicates
        finally:
            agent.stop()
    finally:
        hub_runner.stop()


def _raw_client(broker_url: str) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    port = int(broker_url.rsplit(":", 1)[1])
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


@pytest.mark.slow
def test_duplicates_stored_once_gaps_asked_for_and_garbage_ignored(tmp_path, broker) -> None:
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    raw = _raw_client(broker.url)
    acks: list[dict] = []
    raw.on_message = lambda _c, _u, m: acks.append(json.loads(m.payload))
    raw.subscribe(topics.device_ack("door-x"), qos=1)
    time.sleep(0.3)

    def event(seq: int) -> dict:
        return {"origin": "door-x", "seq": seq, "type": "PunchRecorded", "version": 1,
                "wall_time": 1.7e9 + seq, "hlc": seq, "payload": {"person_id": "p", "name": "p",
                                                                 "status": "in"}}

    def send(body) -> None:
        raw.publish(topics.device_events("door-x"), body, qos=1).wait_for_publish(5)

    try:
        for garbage in (b"\xff\xfe", b"[]", b'{"v": 99, "events": []}', b'{"v": 1}',
                        payloads.encode({"events": [{"origin": "door-x", "seq": "one"}]})):
            send(garbage)
        batch = payloads.encode({"device": "door-x", "events": [event(1), event(2)]})
        send(batch)
        send(batch)  # delivered twice
        wait_for(lambda: len(acks) >= 2, what="two acks")
        assert device_punch_ids(hub, "door-x") == [1, 2]
        assert acks[-1]["stored_upto"] == 2
        send(payloads.encode({"device": "door-x", "events": [event(5), event(6)]}))
        wait_for(lambda: len(acks) >= 3, what="the gap ack")
        gap_ack = {k: v for k, v in acks[-1].items() if k not in ("hub_db", "incarnation")}
        assert gap_ack == {"v": 1, "stored_upto": 2, "resend_from": 3}
        send(payloads.encode({"device": "door-x", "events": [event(3), event(4)]}))
        wait_for(lambda: acks[-1]["stored_upto"] == 6, what="the gap to close")
        assert device_punch_ids(hub, "door-x") == [1, 2, 3, 4, 5, 6]
    finally:
        raw.loop_stop()
        hub_runner.stop()
