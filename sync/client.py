"""MQTT connection settings and the paho client (MQTT 5, callback API version 2).

Broker address, credentials and TLS come from options or environment variables, never
from code: FACEGATE_MQTT_USERNAME, FACEGATE_MQTT_PASSWORD, FACEGATE_MQTT_CA,
FACEGATE_MQTT_CERT, FACEGATE_MQTT_KEY. `mqtts://` turns TLS on.
"""

from __future__ import annotations

import os
import random
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

DEFAULT_PORT = {"mqtt": 1883, "mqtts": 8883}
KEEPALIVE_S = 15
#: Our own cap on unacknowledged QoS 1 publishes; at or below Mosquitto's default (20).
MAX_INFLIGHT = 16


@dataclass(frozen=True)
class BrokerConfig:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None


def parse_broker(url: str, username: str | None = None, password: str | None = None,
                 ca_file: str | None = None) -> BrokerConfig:
    parts = urlsplit(url if "://" in url else f"mqtt://{url}")
    if parts.scheme not in DEFAULT_PORT or not parts.hostname:
        raise ValueError(f"broker {url!r}: use mqtt://HOST:PORT or mqtts://HOST:PORT")
    env = os.environ
    return BrokerConfig(
        host=parts.hostname,
        port=parts.port or DEFAULT_PORT[parts.scheme],
        tls=parts.scheme == "mqtts",
        username=username or parts.username or env.get("FACEGATE_MQTT_USERNAME"),
        password=password or parts.password or env.get("FACEGATE_MQTT_PASSWORD"),
        ca_file=ca_file or env.get("FACEGATE_MQTT_CA"),
        cert_file=env.get("FACEGATE_MQTT_CERT"),
        key_file=env.get("FACEGATE_MQTT_KEY"),
    )


def make_client(client_id: str, config: BrokerConfig,
                will: tuple[str, bytes] | None = None) -> mqtt.Client:
    """A client that starts every session clean: nothing is left to the broker's memory."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                         protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(MAX_INFLIGHT)
    client.max_queued_messages_set(0)
    if config.username:
        client.username_pw_set(config.username, config.password)
    if config.tls:
        context = ssl.create_default_context(cafile=config.ca_file)
        if config.cert_file:
            context.load_cert_chain(config.cert_file, config.key_file)
        client.tls_set_context(context)
    if will is not None:
        topic, payload = will
        client.will_set(topic, payload, qos=1, retain=True)
    return client


def connect_properties(session_expiry: int = 0) -> Properties:
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = session_expiry
    return properties


class Backoff:
    """Exponential backoff with full jitter, so a fleet does not reconnect in step."""

    def __init__(self, base: float = 0.5, cap: float = 30.0,
                 rng: random.Random | None = None) -> None:
        self.base, self.cap = base, cap
        self.attempt = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * 2 ** self.attempt)
        self.attempt += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempt = 0
