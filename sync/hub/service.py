"""The hub's MQTT side (run_sync.py hub): ingest, acknowledge, sequence and fan out the library.

Hub instances subscribe through an MQTT 5 shared subscription, so each device message is
handled by one of them; the database's unique keys make a redelivery harmless anyway.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import threading
import time
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device.errors import FaceGateError
from sync import payloads, topics
from sync.client import KEEPALIVE_S, Backoff, BrokerConfig, connect_properties, make_client
from sync.codes import DeviceState, HubCommand, QoS, ResultStatus
from sync.hub.enrol import enrolment_changes, removal_change
from sync.hub.store import HubStore
from sync.payloads import PayloadError
from sync.wire import from_wire

log = logging.getLogger("facegate.hub")

LIBRARY_BATCH = 500  # library events per catch-up message


class HubService:
    def __init__(self, store: HubStore, broker: BrokerConfig, hub_id: str | None = None,
                 shared: bool = True) -> None:
        self.store = store
        self.broker = broker
        self.hub_id = hub_id or f"hub-{uuid.uuid4().hex[:8]}"
        self.shared = shared
        self.stop_event = threading.Event()
        self.connected = False
        self._client: mqtt.Client | None = None
        self._backoff = Backoff()

    def run(self) -> None:
        log.info("%s on %s:%s", self.hub_id, self.broker.host, self.broker.port)
        try:
            while not self.stop_event.is_set():
                if self._client is None or not self.connected:
                    self._connect_once()
                    continue
                if self._client.loop(timeout=0.1) != mqtt.MQTT_ERR_SUCCESS:
                    self.connected = False
        finally:
            if self._client is not None:
                self._client.disconnect()

    def stop(self) -> None:
        self.stop_event.set()

    def _connect_once(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.disconnect()
        will = payloads.encode({"hub": self.hub_id, "state": DeviceState.OFFLINE})
        client = make_client(self.hub_id, self.broker, will=(topics.HUB_STATUS, will))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self._client = client
        try:
            client.connect(self.broker.host, self.broker.port, keepalive=KEEPALIVE_S,
                           clean_start=True, properties=connect_properties())
            deadline = time.monotonic() + 5
            while not self.connected and time.monotonic() < deadline \
                    and not self.stop_event.is_set():
                if client.loop(timeout=0.1) != mqtt.MQTT_ERR_SUCCESS:
                    break
        except OSError as e:
            log.warning("broker unreachable: %s", e)
        if not self.connected:
            self.stop_event.wait(self._backoff.next_delay())

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason_code: Any,
                    _p: Any) -> None:
        if reason_code.is_failure:
            log.warning("broker refused the hub: %s", reason_code)
            return
        self.connected = True
        self._backoff.reset()
        share = topics.shared if self.shared else (lambda t: t)
        for topic in (share(topics.ALL_DEVICE_EVENTS), share(topics.ALL_LIBRARY_REQUESTS),
                      share(topics.HUB_COMMANDS), topics.ALL_DEVICE_STATUS):
            client.subscribe(topic, qos=QoS.AT_LEAST_ONCE)
        client.publish(topics.HUB_STATUS, payloads.encode(
            {"hub": self.hub_id, "state": DeviceState.ONLINE}), qos=QoS.AT_LEAST_ONCE,
            retain=True)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason_code: Any,
                       _p: Any) -> None:
        self.connected = False
        log.warning("hub disconnected: %s", reason_code)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        device = topics.device_of(topic)
        try:
            if device and topic == topics.device_events(device):
                self._handle_events(device, message.payload)
            elif device and topic == topics.device_library_request(device):
                self._handle_library_request(device, message.payload)
            elif device and topic == topics.device_status(device):
                body = payloads.decode(message.payload, {"state": str, "session": int})
                self.store.update_status(device, body)
            elif topic == topics.HUB_COMMANDS:
                self._handle_command(message)
        except PayloadError as e:
            log.warning("ignored a malformed message on %s: %s", topic, e)

    def _publish(self, topic: str, body: dict, properties: Properties | None = None) -> None:
        assert self._client is not None
        self._client.publish(topic, payloads.encode(body), qos=QoS.AT_LEAST_ONCE,
                             properties=properties)

    def _handle_events(self, device: str, raw: bytes) -> None:
        body = payloads.decode(raw, {"events": list})
        batch = [from_wire(item) for item in body["events"]]
        result = self.store.ingest(device, batch)
        ack: dict = {"stored_upto": result.stored_upto}
        if result.gap_after is not None:
            ack["resend_from"] = result.gap_after + 1
        self._publish(topics.device_ack(device), ack)
        if result.library_events:
            self._broadcast(result.library_events)

    def _broadcast(self, events: list[dict]) -> None:
        version, checksum = self.store.library_state()
        self._publish(topics.LIBRARY_BROADCAST, {"events": events, "library_version": version,
                                                 "checksum": checksum})

    def _handle_library_request(self, device: str, raw: bytes) -> None:
        body = payloads.decode(raw, {"after": int})
        limit = body.get("limit")
        limit = min(limit, LIBRARY_BATCH) if isinstance(limit, int) and limit > 0 \
            else LIBRARY_BATCH
        events, more = self.store.library_after(body["after"], limit)
        reply: dict = {"events": events, "more": more}
        if not more:  # the checksum is O(library): only with the last batch of a catch-up
            reply["library_version"], reply["checksum"] = self.store.library_state()
        self._publish(topics.device_library(device), reply)

    def _handle_command(self, message: mqtt.MQTTMessage) -> None:
        properties = getattr(message, "properties", None)
        response_topic = getattr(properties, "ResponseTopic", None)
        response = Properties(PacketTypes.PUBLISH)
        correlation = getattr(properties, "CorrelationData", None)
        if correlation is not None:
            response.CorrelationData = correlation
        try:
            body = payloads.decode(message.payload, {"request_id": str, "command": str,
                                                     "expires_at": (int, float)})
            if time.time() > body["expires_at"]:
                result = {"status": ResultStatus.EXPIRED.value}
            else:
                result = {"status": ResultStatus.OK.value,
                          "result": self._run_command(body["command"], body.get("args") or {})}
        except (PayloadError, FaceGateError, KeyError, TypeError, ValueError,
                binascii.Error) as e:
            result = {"status": ResultStatus.ERROR.value, "error": str(e)}
            body = {"request_id": None}
        if response_topic:
            self._publish(response_topic, {"request_id": body.get("request_id"), **result},
                          response)

    def _run_command(self, command: str, args: dict) -> Any:
        if command == HubCommand.ADD_FACES:
            photos = [base64.b64decode(p, validate=True) for p in args["photos"]]
            changes = enrolment_changes(str(args["person_id"]), str(args["name"]), photos,
                                        args.get("phone"), args.get("mail"))
            events = self.store.append_library(changes)
            self._broadcast(events)
            return {"person_id": args["person_id"], "samples": len(changes) - 1}
        if command == HubCommand.REMOVE_PERSON:
            events = self.store.append_library([removal_change(str(args["person_id"]))])
            self._broadcast(events)
            return {"removed": args["person_id"]}
        if command == HubCommand.LIST_LIBRARY:
            version, checksum = self.store.library_state()
            return {"library_version": version, "checksum": checksum}
        if command == HubCommand.DEVICES:
            return [dict(r._mapping) for r in self.store.devices()]
        raise ValueError(f"unknown command {command!r}")
