"""One thread that owns a paho client: connect with jittered backoff, run the network loop
between its own periodic work, and reconnect when the link drops. The agent and the hub
are both this, with different subscriptions and handlers.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from abc import ABC, abstractmethod
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties

from device.errors import FaceGateError
from sync import payloads
from sync.client import KEEPALIVE_S, Backoff, BrokerConfig, connect_properties, make_client
from sync.codes import QoS

log = logging.getLogger("facegate.mqtt")

CONNECT_TIMEOUT_S = 5.0


class MqttService(ABC):
    loop_timeout = 0.05

    def __init__(self, broker: BrokerConfig) -> None:
        self.broker = broker
        self.stop_event = threading.Event()
        self.connected = False
        self._client: mqtt.Client | None = None
        self._backoff = Backoff()
        self.bad_messages = 0  # messages dropped because they could not be handled

    # -- what a service defines ---------------------------------------------------------

    @property
    @abstractmethod
    def client_id(self) -> str: ...

    @abstractmethod
    def will(self) -> tuple[str, bytes]:
        """The retained status the broker publishes if this connection dies."""

    @abstractmethod
    def on_connected(self, client: mqtt.Client) -> None:
        """Subscribe and announce: every session starts clean."""

    @abstractmethod
    def on_message(self, message: mqtt.MQTTMessage) -> None: ...

    def before_connect(self) -> None:  # noqa: B027 (an optional hook)
        """Called before each attempt (e.g. to count sessions)."""

    def tick(self) -> None:  # noqa: B027 (an optional hook)
        """Periodic work while connected."""

    def on_stop(self) -> None:  # noqa: B027 (an optional hook)
        """Last words while still connected (a clean stop sends no will)."""

    # -- the loop -----------------------------------------------------------------------

    def run(self) -> None:
        log.info("%s -> %s:%s", self.client_id, self.broker.host, self.broker.port)
        try:
            while not self.stop_event.is_set():
                if self._client is None or not self.connected:
                    self._connect_once()
                    continue
                if self._client.loop(timeout=self.loop_timeout) != mqtt.MQTT_ERR_SUCCESS:
                    self.connected = False
                    continue
                if self.connected:
                    self.tick()
        finally:
            if self._client is not None:
                self.on_stop()
                self._client.disconnect()

    def stop(self) -> None:
        self.stop_event.set()

    def publish(self, topic: str, body: dict, retain: bool = False,
                properties: Properties | None = None) -> mqtt.MQTTMessageInfo | None:
        if self._client is None:
            return None
        return self._client.publish(topic, payloads.encode(body), qos=QoS.AT_LEAST_ONCE,
                                    retain=retain, properties=properties)

    def flush(self, info: mqtt.MQTTMessageInfo | None, timeout: float = 2.0) -> None:
        """Drive the network loop until `info` has left (used on the way out)."""
        deadline = time.monotonic() + timeout
        while info is not None and self._client is not None and not info.is_published() \
                and time.monotonic() < deadline:
            self._client.loop(timeout=0.05)

    def _connect_once(self) -> None:
        """One attempt with a fresh client (a fresh will), then backoff if it failed."""
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.disconnect()
            self._client = None
        self.before_connect()
        client = make_client(self.client_id, self.broker, will=self.will())
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = lambda _c, _u, message: self._dispatch(message)
        self._client = client
        try:
            client.connect(self.broker.host, self.broker.port, keepalive=KEEPALIVE_S,
                           clean_start=True, properties=connect_properties())
            deadline = time.monotonic() + CONNECT_TIMEOUT_S
            while not self.connected and time.monotonic() < deadline \
                    and not self.stop_event.is_set():
                if client.loop(timeout=0.1) != mqtt.MQTT_ERR_SUCCESS:
                    break
        except OSError as e:
            log.warning("broker %s:%s unreachable: %s", self.broker.host, self.broker.port, e)
        if not self.connected:
            self.stop_event.wait(self._backoff.next_delay())

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason_code: Any,
                    _properties: Any) -> None:
        if reason_code.is_failure:
            log.warning("broker refused %s: %s", self.client_id, reason_code)
            return
        self.connected = True
        self._backoff.reset()
        self.on_connected(client)

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any,
                       reason_code: Any, _properties: Any) -> None:
        if self.connected:
            log.warning("%s disconnected: %s", self.client_id, reason_code)
        self.connected = False

    def _dispatch(self, message: mqtt.MQTTMessage) -> None:
        """One message costs at most itself: whatever goes wrong while handling it is logged
        in one line and counted, and the service goes on with the next."""
        try:
            self.on_message(message)
        except payloads.PayloadError as e:
            self.bad_messages += 1
            log.warning("dropped a malformed message on %s: %s", _printable(message.topic),
                        str(e)[:300])
        except FaceGateError as e:
            self.bad_messages += 1
            log.warning("dropped a message on %s: %s", _printable(message.topic), str(e)[:300])
        except Exception as e:
            self.bad_messages += 1
            log.error("dropped a message on %s after an unexpected %s: %s",
                      _printable(message.topic), type(e).__name__, str(e)[:300])


def _printable(text: str) -> str:
    return text.encode("unicode_escape", "backslashreplace").decode("ascii")[:200]
