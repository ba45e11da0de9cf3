"""MQTT over TLS with a real Mosquitto: the agent verifies the broker against the site's CA."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from device.terminal import Terminal
from sync.agent import SyncAgent
from sync.client import parse_broker
from sync.hub.service import HubService
from sync.hub.store import HubStore, open_hub_engine
from tests.support.broker import Broker, Runner, wait_for
from tests.support.fleet import FAST, device_punch_ids, punches


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def tls_broker(tmp_path: Path):
    """A CA, a server certificate for 127.0.0.1 signed by it, and a TLS-only broker."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=FaceGate test CA", "-keyout", "ca.key", "-out", "ca.crt", cwd=tmp_path)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "server.key", "-out", "server.csr", cwd=tmp_path)
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt",
             cwd=tmp_path)
    broker = Broker(tmp_path, f"cafile {tmp_path / 'ca.crt'}\ncertfile {tmp_path / 'server.crt'}\n"
                              f"keyfile {tmp_path / 'server.key'}\n")
    broker.start()
    yield broker, tmp_path / "ca.crt"
    broker.kill()


@pytest.mark.slow
def test_agent_and_hub_talk_over_tls(tmp_path: Path, tls_broker, monkeypatch) -> None:
    broker, ca = tls_broker
    url = f"mqtts://127.0.0.1:{broker.port}"
    hub = HubStore(open_hub_engine(str(tmp_path / "hub.sqlite")))
    hub_runner = Runner(HubService(hub, parse_broker(url, ca_file=str(ca))))
    door = Terminal.open(tmp_path / "door.sqlite", device_id="door-tls")
    punches(door, 10)
    door.close()
    monkeypatch.setenv("FACEGATE_MQTT_CA", str(ca))  # the agent's CA comes from the environment
    agent = Runner(SyncAgent(str(tmp_path / "door.sqlite"), parse_broker(url), FAST))
    try:
        wait_for(lambda: device_punch_ids(hub, "door-tls") == list(range(1, 11)), 30,
                 "punches over TLS")
        # A client that does not trust the site's CA is turned away by its own check.
        stranger = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        stranger.tls_set_context(ssl.create_default_context())
        with pytest.raises(ssl.SSLCertVerificationError):
            stranger.connect("127.0.0.1", broker.port)
    finally:
        agent.stop()
        hub_runner.stop()
