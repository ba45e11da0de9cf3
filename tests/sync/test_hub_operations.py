"""Central enrolment, the hub's reports, storage warnings, reconnect backoff."""

from __future__ import annotations

import base64
import json
import random
import signal
import subprocess
import sys
import time

import pytest

from device.terminal import Terminal
from sync.agent import AgentConfig, SyncAgent
from sync.client import Backoff, parse_broker
from sync.device_side import DeviceSync
from tests.support.broker import Runner, wait_for
from tests.support.fleet import Operator, agent_on, hub_on, punches
from tests.support.paths import REPO


def run_sync(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run_sync.py", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_faces_added_at_the_hub_reach_every_door_as_encodings(tmp_path, broker,
                                                               data_dir) -> None:
    _hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    Terminal.open(tmp_path / "door.sqlite", device_id="door-c").close()
    agent = agent_on(tmp_path / "door.sqlite", broker.url)
    operator = Operator(broker.port)
    try:
        photo = base64.b64encode((data_dir / "faces" / "joe_biden" / "biden_1.jpg")
                                 .read_bytes()).decode()
        import uuid

        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        from sync import payloads, topics

        correlation = uuid.uuid4().bytes
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = operator.reply_to
        properties.CorrelationData = correlation
        operator.client.publish(topics.HUB_COMMANDS, payloads.encode({
            "request_id": "add-1", "command": "add_faces", "expires_at": time.time() + 60,
            "args": {"person_id": "E9", "name": "艾超", "photos": [photo]}}), qos=1,
            properties=properties)
        answer = wait_for(lambda: operator.responses.get(correlation), 60, "the hub's answer")
        # The hub enrols with the default engine: one MobileFaceNet sample a photo.
        assert answer["status"] == "ok" and answer["result"] == {"person_id": "E9",
                                                                 "samples": 1}
        door = agent.service.terminal
        wait_for(lambda: [p.name for p in door.people()] == ["艾超"], 30, "E9 at the door")
        probe = data_dir / "faces" / "joe_biden" / "biden_2.jpg"
        assert door.identify(probe)[0].match.person_id == "E9"  # usable encodings arrived
    finally:
        operator.close()
        agent.stop()
        hub_runner.stop()


@pytest.mark.slow
def test_hub_cli_enrolment_and_punch_reports(tmp_path, broker, data_dir) -> None:
    hub_db = tmp_path / "hub.sqlite"
    done = run_sync("hub-enroll", "--db", str(hub_db), str(data_dir / "faces"))
    assert done.returncode == 0, done.stderr
    assert "enrolled 6 people at the hub" in done.stdout
    hub, hub_runner = hub_on(str(hub_db), broker)
    door = Terminal.open(tmp_path / "door.sqlite", device_id="door-r")
    punches(door, 5)
    door.close()
    agent = agent_on(tmp_path / "door.sqlite", broker.url)
    try:
        wait_for(lambda: len(hub.punches()) == 5, what="punches at the hub")
        wait_for(lambda: len(agent.service.terminal.people()) == 6, 30, "library at the door")
    finally:
        agent.stop()
        hub_runner.stop()
    lines = run_sync("hub-punches", "--db", str(hub_db)).stdout.splitlines()
    first = json.loads(lines[0])
    assert len(lines) == 5 and first["device_id"] == "door-r" and first["seq"] == 1
    report = run_sync("hub-punches", "--db", str(hub_db), "--csv").stdout.splitlines()
    assert report[0] == "time,device_id,seq,person_id,name,status" and len(report) == 6
    devices = [json.loads(x) for x in run_sync("hub-devices", "--db", str(hub_db))
               .stdout.splitlines()]
    assert devices[0]["device_id"] == "door-r" and devices[0]["stored_upto"] == 5


@pytest.mark.slow
def test_a_killed_agent_is_marked_offline_by_its_will(tmp_path, broker) -> None:
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    db = tmp_path / "door.sqlite"
    Terminal.open(db, device_id="door-w").close()
    process = subprocess.Popen([sys.executable, "run_sync.py", "agent", "--db", str(db),
                                "--broker", broker.url], cwd=REPO)
    try:
        wait_for(lambda: any(d.state == "online" for d in hub.devices()), 20, "online")
        process.send_signal(signal.SIGKILL)
        process.wait()
        wait_for(lambda: all(d.state == "offline" for d in hub.devices()), 20,
                 "the last will to mark the door offline")
    finally:
        process.kill()
        hub_runner.stop()


@pytest.mark.slow
def test_storage_pressure_raises_one_alert(tmp_path, broker) -> None:
    Terminal.open(tmp_path / "door.sqlite", device_id="door-s").close()
    config = AgentConfig(storage_check_interval=0.1, storage_alert_fraction=0.0)
    agent = Runner(SyncAgent(str(tmp_path / "door.sqlite"), parse_broker(broker.url), config))
    try:
        wait_for(lambda: agent.service.terminal.alerts(), 10, "a storage alert")
        time.sleep(0.5)
        alerts = agent.service.terminal.alerts()
        assert [a.kind for a in alerts] == ["storage_low"]
        assert "events wait for the hub" in alerts[0].detail
    finally:
        agent.stop()


def test_backoff_grows_with_jitter_and_resets() -> None:
    backoff = Backoff(base=0.5, cap=8.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(8)]
    for attempt, delay in enumerate(delays):
        ceiling = min(8.0, 0.5 * 2 ** attempt)
        assert ceiling / 2 <= delay <= ceiling
    other = Backoff(base=0.5, cap=8.0, rng=random.Random(2))
    assert delays != [other.next_delay() for _ in range(8)]  # doors do not retry in step
    backoff.reset()
    assert backoff.next_delay() <= 0.5


def test_agent_refuses_a_database_that_is_not_sqlite(tmp_path) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("nope")
    done = run_sync("agent", "--db", str(bogus), "--broker", "mqtt://127.0.0.1:1")
    assert done.returncode == 2 and "not a SQLite database" in done.stderr


def test_bad_broker_url_is_one_line(tmp_path) -> None:
    done = run_sync("agent", "--db", str(tmp_path / "d.sqlite"), "--broker", "http://x")
    assert done.returncode == 2 and done.stderr.startswith("error: broker")


def test_device_sync_never_believes_more_than_it_sent(tmp_path) -> None:
    terminal = Terminal.open(tmp_path / "d.sqlite", device_id="door-z")
    punches(terminal, 3)
    sync = DeviceSync(terminal.store)
    assert sync.record_ack(10) and sync.acked_seq() == 3
    assert not sync.record_ack(2)
    terminal.close()
