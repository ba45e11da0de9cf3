"""The hub's MQTT side (run_sync.py hub): ingest, acknowledge, sequence and fan out the library.

Hub instances subscribe through an MQTT 5 shared subscription, so each device message is
handled by one of them; the database's unique keys make a redelivery harmless anyway.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device.errors import FaceGateError
from sync import integrations, payloads, topics
from sync.client import BrokerConfig
from sync.codes import DeviceState, HubCommand, QoS, ResultStatus
from sync.hub.enrol import enrolment_changes, removal_change
from sync.hub.store import LEGACY_INCARNATION, HubStore
from sync.payloads import PayloadError
from sync.schemas import Message, args_problem, decode
from sync.service import MqttService
from sync.wire import from_wire

log = logging.getLogger("facegate.hub")

LIBRARY_BATCH = 500  # library events per catch-up message


class HubService(MqttService):
    loop_timeout = 0.1

    def __init__(self, store: HubStore, broker: BrokerConfig, hub_id: str | None = None,
                 shared: bool = True) -> None:
        super().__init__(broker)
        self.store = store
        self.hub_id = hub_id or f"hub-{uuid.uuid4().hex[:8]}"
        self.shared = shared

    @property
    def client_id(self) -> str:
        return self.hub_id

    def will(self) -> tuple[str, bytes]:
        return topics.HUB_STATUS, payloads.encode({"hub": self.hub_id,
                                                   "state": DeviceState.OFFLINE})

    def on_connected(self, client: mqtt.Client) -> None:
        share = topics.shared if self.shared else (lambda t: t)
        for topic in (share(topics.ALL_DEVICE_EVENTS), share(topics.ALL_LIBRARY_REQUESTS),
                      share(topics.HUB_COMMANDS), topics.ALL_DEVICE_STATUS):
            client.subscribe(topic, qos=QoS.AT_LEAST_ONCE)
        self.publish(topics.HUB_STATUS, {"hub": self.hub_id, "state": DeviceState.ONLINE},
                     retain=True)

    def on_message(self, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        device = topics.device_of(topic)
        if device and topic == topics.device_events(device):
            self._handle_events(device, message.payload)
        elif device and topic == topics.device_library_request(device):
            self._handle_library_request(device, message.payload)
        elif device and topic == topics.device_status(device):
            if not message.payload:
                return  # a retained status cleared by an operator
            body = decode(message.payload, Message.STATUS)
            if self.store.update_status(device, body) and body["state"] == DeviceState.OFFLINE:
                # The door's will (it died): its plain availability says so too. A late will
                # of an older session is refused above and leaves it alone.
                self._mirror_offline(device)
        elif topic == topics.HUB_COMMANDS:
            self._handle_command(message)

    def _mirror_offline(self, device: str) -> None:
        if self._client is not None:
            self._client.publish(integrations.availability(device),
                                 integrations.NOT_AVAILABLE.encode(),
                                 qos=QoS.AT_LEAST_ONCE, retain=True)

    def _handle_events(self, device: str, raw: bytes | bytearray) -> None:
        body = decode(raw, Message.EVENTS)
        if body.get("device", device) != device:
            raise PayloadError(f"a batch on {device}'s topic says it is from another device")
        batch = [from_wire(item) for item in body["events"]]
        incarnation = body.get("incarnation", LEGACY_INCARNATION)
        result = self.store.ingest(device, batch, incarnation, body.get("base", 0))
        ack: dict = {"stored_upto": result.stored_upto, "hub_db": self.store.hub_db,
                     "incarnation": incarnation}
        if result.gap_after is not None:
            ack["resend_from"] = result.gap_after + 1
        if result.rejected:
            ack["rejected"] = [{"seq": seq, "reason": reason}
                               for seq, reason in result.rejected]
        if result.conflict:
            ack["conflict"] = True
        if result.anchor is not None:
            ack["anchor"] = {"seq": result.anchor.seq, "position": result.anchor.position,
                             "hash": result.anchor.hash.hex()}
        self.publish(topics.device_ack(device), ack)
        if result.removals:
            self.store.make_erasure_durable()
        if result.library_events:
            self._broadcast(result.library_events)

    def _broadcast(self, events: list[dict]) -> None:
        version, checksum = self.store.library_state()
        self.publish(topics.LIBRARY_BROADCAST, {"events": events, "library_version": version,
                                                 "checksum": checksum,
                                                 "hub_db": self.store.hub_db})

    def _handle_library_request(self, device: str, raw: bytes | bytearray) -> None:
        body = decode(raw, Message.LIBRARY_REQUEST)
        limit = body.get("limit")
        limit = min(limit, LIBRARY_BATCH) if isinstance(limit, int) and limit > 0 \
            else LIBRARY_BATCH
        events, more = self.store.library_after(body["after"], limit)
        reply: dict = {"events": events, "more": more, "hub_db": self.store.hub_db}
        if not more:  # the checksum is O(library): only with the last batch of a catch-up
            reply["library_version"], reply["checksum"] = self.store.library_state()
        self.publish(topics.device_library(device), reply)

    def _handle_command(self, message: mqtt.MQTTMessage) -> None:
        properties = getattr(message, "properties", None)
        response_topic = getattr(properties, "ResponseTopic", None)
        response = Properties(PacketTypes.PUBLISH)
        correlation = getattr(properties, "CorrelationData", None)
        if correlation is not None:
            response.CorrelationData = correlation
        if response_topic and not topics.is_hub_reply_topic(response_topic):
            log.warning("a hub command asked for answers on %r, not a hub reply topic "
                        "(facegate/v1/hub/replies/<user>): not answered there",
                        response_topic[:120])
            response_topic = None
        request_id = None
        try:
            body = decode(message.payload, Message.HUB_COMMAND)
            request_id = body["request_id"]
            if response_topic is None and body.get("reply_to"):
                response_topic = topics.hub_replies(body["reply_to"])
            args = body.get("args") or {}
            problem = args_problem(body["command"], args, hub=True)
            if time.time() > body["expires_at"]:
                result: dict = {"status": ResultStatus.EXPIRED.value}
            elif body["command"] not in {c.value for c in HubCommand}:
                result = {"status": ResultStatus.UNKNOWN_COMMAND.value,
                          "error": f"unknown command {body['command'][:64]!r}"}
            elif problem:
                result = {"status": ResultStatus.ERROR.value,
                          "error": f"bad arguments for {body['command']}: {problem}"}
            else:
                result = {"status": ResultStatus.OK.value,
                          "result": self._run_command(body["command"], args)}
        except (PayloadError, FaceGateError, KeyError, TypeError, ValueError,
                binascii.Error) as e:
            result = {"status": ResultStatus.ERROR.value, "error": str(e)[:300]}
        if response_topic:
            self.publish(response_topic, {"request_id": request_id, **result},
                         properties=response)

    def _run_command(self, command: str, args: dict) -> Any:
        if command == HubCommand.ADD_FACES:
            photos = [base64.b64decode(p, validate=True) for p in args["photos"]]
            changes = enrolment_changes(str(args["person_id"]), str(args["name"]), photos,
                                        args.get("phone"), args.get("mail"))
            events = self.store.append_library(changes)
            self._broadcast(events)
            return {"person_id": args["person_id"], "samples": len(changes) - 1}
        if command == HubCommand.REMOVE_PERSON:
            if not self.store.has_person(args["person_id"]):
                raise FaceGateError(f"no person with id {args['person_id']!r}")
            events = self.store.append_library([removal_change(str(args["person_id"]))])
            self._broadcast(events)
            return {"removed": args["person_id"]}
        if command == HubCommand.LIST_LIBRARY:
            version, checksum = self.store.library_state()
            return {"library_version": version, "checksum": checksum}
        if command == HubCommand.DEVICES:
            return [{k: (v.hex() if isinstance(v, bytes) else v) for k, v in r._mapping.items()}
                    for r in self.store.devices()]
        raise ValueError(f"unknown command {command!r}")
