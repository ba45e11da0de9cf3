"""The device's sync agent (run_sync.py agent): outbox up, library down, status, commands.

One thread does everything: it drives paho's network loop itself (client.loop) between
its own work, so callbacks and database writes never race. Nothing is trusted to the
broker: sessions start clean, and an event counts as delivered only when the hub's
acknowledgement says it is stored. Until then it is sent again (go-back-N from the last
acknowledged sequence) after every reconnect and after an acknowledgement timeout.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device import __version__
from device.events import AlertKind, EventType
from device.terminal import Terminal
from sync import commands, integrations, payloads, topics
from sync.client import BrokerConfig
from sync.codes import DeviceState, QoS, ResultStatus
from sync.device_side import DeviceSync
from sync.outbox import ResendWindow
from sync.payloads import PayloadError
from sync.schemas import Message, args_problem, decode
from sync.service import MqttService
from sync.wire import from_wire

log = logging.getLogger("facegate.agent")

HUB_CONTACT_NOTE_SECONDS = 5.0
OPEN_BUTTON_EXPIRY_S = 10.0  # a Home Assistant press is acted on within this, or never
INTEGRATION_BATCH = 200  # punch and access messages published per tick at most
INTEGRATION_INTERVAL_S = 0.5  # how often the log is looked at for new punches


@dataclass
class AgentConfig:
    batch_size: int = 200
    window_batches: int = 8  # unacknowledged batches in flight at most
    ack_timeout: float = 5.0
    status_interval: float = 10.0
    library_poll_interval: float = 30.0
    storage_check_interval: float = 60.0
    storage_alert_fraction: float = 0.9


class SyncAgent(MqttService):
    def __init__(self, db_path: str, broker: BrokerConfig,
                 config: AgentConfig | None = None) -> None:
        super().__init__(broker)
        self.terminal = Terminal.open(db_path)
        self.sync = DeviceSync(self.terminal.store)
        self.device_id = self.terminal.device_id
        self.config = config or AgentConfig()
        self.session = 0
        self.incarnation = self.sync.incarnation()
        self._hub_db_seen: str | None = None  # the hub database last seen in a message
        self.window = ResendWindow(self.sync.acked_seq(), self.sync.acked_seq(),
                                   time.monotonic())
        self._last_status = 0.0
        self._last_library_request = 0.0
        self._last_storage_check = 0.0
        self._storage_alerted = False
        self._last_hub_note = float("-inf")
        self._last_integration = float("-inf")
        self._decommissioned = False  # no more retained announcements from this process

    @property
    def client_id(self) -> str:
        return f"facegate-{self.device_id}"

    def run(self) -> None:
        try:
            super().run()
        finally:
            self.terminal.close()

    # -- connection ---------------------------------------------------------------------

    def before_connect(self) -> None:
        self.session = self.sync.next_session()

    def will(self) -> tuple[str, bytes]:
        return topics.device_status(self.device_id), payloads.encode(
            {"device": self.device_id, "state": DeviceState.OFFLINE, "session": self.session})

    def on_connected(self, client: mqtt.Client) -> None:
        device = self.device_id
        for topic in (topics.device_ack(device), topics.device_library(device),
                      topics.LIBRARY_BROADCAST, topics.device_commands(device),
                      topics.device_status(device), integrations.availability(device),
                      integrations.open_button(device)):
            client.subscribe(topic, qos=QoS.AT_LEAST_ONCE)
        # resend everything the hub has not confirmed
        self.window.restart(self.sync.acked_seq(), time.monotonic())
        self._publish_status()
        self._publish_availability(integrations.AVAILABLE)
        self._publish_discovery()
        self._request_library()

    def on_stop(self) -> None:
        """A clean stop sends no will: say "offline" ourselves, and let it reach the broker."""
        if self.connected and not self._decommissioned:
            self._publish_availability(integrations.NOT_AVAILABLE)
            self.flush(self.publish(topics.device_status(self.device_id), {
                "device": self.device_id, "state": DeviceState.OFFLINE,
                "session": self.session}, retain=True))

    def on_message(self, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        if topic == topics.device_ack(self.device_id):
            self._handle_ack(message.payload)
        elif topic in (topics.device_library(self.device_id), topics.LIBRARY_BROADCAST):
            self._handle_library(message.payload, catch_up=topic != topics.LIBRARY_BROADCAST)
        elif topic == topics.device_commands(self.device_id):
            self._handle_command(message)
        elif topic == topics.device_status(self.device_id):
            self._handle_own_status(message.payload)
        elif topic == integrations.availability(self.device_id):
            if bytes(message.payload) == integrations.NOT_AVAILABLE.encode() and self.connected \
                    and not self.stop_event.is_set():  # (our own "offline" on the way out)
                # the hub mirrored a late will of an old connection: we are online
                self._publish_availability(integrations.AVAILABLE)
        elif topic == integrations.open_button(self.device_id):
            self._handle_open_button(message)

    # -- handlers -----------------------------------------------------------------------

    @property
    def acked(self) -> int:
        return self.window.acked

    @property
    def sent_upto(self) -> int:
        return self.window.sent_upto

    def _handle_ack(self, raw: bytes | bytearray) -> None:
        body = decode(raw, Message.ACK)
        if body.get("incarnation", self.incarnation.id) != self.incarnation.id:
            return  # an answer about an earlier instance of this log
        self._hub_heard()
        now = time.monotonic()
        stored_upto = body["stored_upto"]
        hub_db = body.get("hub_db")
        if self._follow_hub_database(hub_db, stored_upto):
            return
        rewritten = body.get("conflict") is True
        restored = (self.sync.restored_from_backup(stored_upto, rewritten)
                    if rewritten or stored_upto > self.sync.last_local_seq() else None)
        if restored is not None:
            self.incarnation = restored
            self.window.restart(restored.base, now)
            return
        rejected = [(r["seq"], r["reason"]) for r in body.get("rejected", [])]
        if rejected and self.sync.record_rejections(rejected):
            log.warning("the hub refused %d of our events (first: seq %d, %s)",
                        len(rejected), *rejected[0])
        self.sync.record_ack(stored_upto)
        self.window.on_ack(stored_upto, body.get("resend_from"), now)

    def _follow_hub_database(self, hub_db: str | None, stored_upto: int | None) -> bool:
        """A hub database we did not know holds less than we were told: send it all again
        (True). Learned from acknowledgements and from library answers, so a door with
        nothing left to send learns it too."""
        if hub_db is None or hub_db == self._hub_db_seen:
            return False  # the usual case: no write transaction for it
        change = self.sync.hub_database_changed(hub_db)
        self._hub_db_seen = hub_db
        first_but_behind = (change == "first" and stored_upto is not None
                            and self.window.acked > stored_upto)
        if change != "changed" and not first_but_behind:
            return False
        self.incarnation = self.sync.restart_for_new_hub()
        self.window.restart(self.incarnation.base, time.monotonic())
        return True

    def _handle_library(self, raw: bytes | bytearray, catch_up: bool) -> None:
        body = decode(raw, Message.LIBRARY)
        self._follow_hub_database(body.get("hub_db"), None)
        batch = [from_wire(item) for item in body["events"]]  # all valid, or none applied
        if catch_up:
            self._hub_heard()
        newest = max((e.seq for e in batch), default=0)
        more = catch_up and body.get("more") is True
        if more:  # ask for the next batch first: the hub reads it while we apply this one
            self._request_library(after=newest)
        self.sync.apply_library(batch)
        version = self.sync.library_version()
        if newest > version:
            self._request_library()  # a gap behind a live broadcast, or a batch cut short
        elif not more:
            self._publish_status()

    def _hub_heard(self) -> None:
        """At most every few seconds: an ack per batch must not cost a write each."""
        now = time.monotonic()
        if now - self._last_hub_note >= HUB_CONTACT_NOTE_SECONDS:
            self._last_hub_note = now
            self.sync.note_hub_contact()

    def _handle_command(self, message: mqtt.MQTTMessage) -> None:
        properties = getattr(message, "properties", None)
        response_topic = getattr(properties, "ResponseTopic", None)
        correlation = getattr(properties, "CorrelationData", None)
        if response_topic and not topics.is_device_reply_topic(response_topic, self.device_id):
            log.warning("a command asked for answers on %r, not one of our reply topics "
                        "(facegate/v1/devices/%s/replies/<user>): not answered there",
                        response_topic[:120], self.device_id)
            response_topic = None
        try:
            body = decode(message.payload, Message.COMMAND)
            if response_topic is None and body.get("reply_to"):
                response_topic = topics.device_replies(self.device_id, body["reply_to"])
            args = body.get("args") or {}
            problem = args_problem(body["command"], args)
            if problem:
                self._respond(response_topic, correlation, {
                    "request_id": body["request_id"], "status": ResultStatus.ERROR.value,
                    "error": f"bad arguments for {body['command']}: {problem}"})
                return
        except PayloadError as e:
            self._respond(response_topic, correlation, {"status": ResultStatus.ERROR.value,
                                                        "error": str(e)})
            return
        extra = {"resync": self._resync, "status": lambda _t, _a: self._status_body(),
                 "decommission": self._decommission}
        outcome = commands.execute(self.terminal, body["request_id"], body["command"], args,
                                   float(body["expires_at"]), extra=extra)
        self._respond(response_topic, correlation, outcome.as_dict())

    def _handle_open_button(self, message: mqtt.MQTTMessage) -> None:
        """Home Assistant's button: "PRESS", never retained (a retained press would open the
        door at every reconnect), run as an `open_door` command the door process acts on."""
        if message.retain or bytes(message.payload) != integrations.OPEN_PRESS.encode():
            log.warning("ignored a message on %s: only a live %r opens the door",
                        message.topic, integrations.OPEN_PRESS)
            return
        commands.execute(self.terminal, f"ha-{uuid.uuid4().hex}", "open_door", {},
                         time.time() + OPEN_BUTTON_EXPIRY_S)

    def _decommission(self, _terminal: Terminal, _args: dict) -> dict:
        """The door leaves the fleet: its retained messages (Home Assistant's configs, the
        availability and the status) are withdrawn, so nothing shows a door that is gone.
        The agent keeps running until it is stopped; a reconnect would announce it again."""
        s = self.terminal.settings()
        cleared = [m.topic for m in integrations.discovery_messages(
            self.device_id, s.device_name, s.ha_discovery_prefix)]
        cleared += [integrations.availability(self.device_id),
                    topics.device_status(self.device_id)]
        if self._client is not None:
            for topic in cleared:
                self._client.publish(topic, b"", qos=QoS.AT_LEAST_ONCE, retain=True)
        self._decommissioned = True
        return {"withdrawn": len(cleared)}

    def _publish_availability(self, state: str) -> None:
        if self._client is not None and not self._decommissioned:
            self._client.publish(integrations.availability(self.device_id), state.encode(),
                                 qos=QoS.AT_LEAST_ONCE, retain=True)

    def _publish_discovery(self) -> None:
        """Home Assistant MQTT discovery (retained configs), unless switched off."""
        s = self.terminal.settings()
        if s.ha_discovery != "on" or self._client is None:
            return
        messages = integrations.discovery_messages(self.device_id, s.device_name,
                                                   s.ha_discovery_prefix)
        if not messages:
            log.info("Home Assistant discovery skipped: device id %r has characters Home "
                     "Assistant refuses in ids", self.device_id)
        for m in messages:
            self._client.publish(m.topic, payloads.encode(integrations.without_nulls(m.config)),
                                 qos=QoS.AT_LEAST_ONCE, retain=True)

    def _publish_integration_events(self) -> None:
        """Punches and access decisions, one message each, from the log after the position
        published last (kept in the database: none is skipped across restarts)."""
        batch, upto = self.sync.integration_events(INTEGRATION_BATCH)
        if not batch:
            if upto > self.sync.integration_position():
                self.sync.set_integration_position(upto)
            return
        door = self.terminal.settings().device_name
        names = self.sync.names_of({e.payload.get("person_id") for e in batch
                                    if e.type == EventType.ACCESS_DECIDED})
        for event in batch:
            message = integrations.integration_message(event, self.device_id, door, names)
            if message is not None:
                self.publish(*message)
        self.sync.set_integration_position(upto)

    def _respond(self, topic: str | None, correlation: bytes | None, body: dict) -> None:
        if not topic:
            return
        properties = Properties(PacketTypes.PUBLISH)
        if correlation is not None:
            properties.CorrelationData = correlation
        self.publish(topic, body, properties=properties)

    def _handle_own_status(self, raw: bytes | bytearray) -> None:
        if not raw:
            return  # withdrawn (decommission)
        body = decode(raw, Message.STATUS)
        if body["state"] == DeviceState.OFFLINE and body["session"] < self.session:
            self._publish_status()  # a late will of an old connection: we are online

    def _resync(self, _terminal: Terminal, _args: dict) -> dict:
        self.window.restart(self.acked, time.monotonic())
        self._request_library(force=True)
        return {"resending_from": self.acked + 1, "library_after": self.sync.library_version()}

    # -- periodic work ------------------------------------------------------------------

    def tick(self) -> None:
        now = time.monotonic()
        if self.window.timed_out(now, self.config.ack_timeout):
            log.info("no acknowledgement for %.0f s: resending from %d",
                     self.config.ack_timeout, self.acked + 1)
        limit = self.config.batch_size * self.config.window_batches
        header = None
        while self.window.has_room(limit) and self.connected:
            batch = self.sync.pending(self.sent_upto, self.config.batch_size)
            if not batch:
                break
            header = header or self.sync.batch_header()
            self.publish(topics.device_events(self.device_id), {**header, "events": batch})
            self.window.sent(batch[-1]["seq"], now)
        if self.connected and now - self._last_integration >= INTEGRATION_INTERVAL_S:
            self._last_integration = now
            self._publish_integration_events()
        if now - self._last_status > self.config.status_interval:
            self._publish_status()
        if now - self._last_library_request > self.config.library_poll_interval:
            self._request_library()
        if now - self._last_storage_check > self.config.storage_check_interval:
            self._check_storage()

    def _status_body(self) -> dict:
        library = self.sync.library_state()
        head = self.sync.own_head()
        return {"device": self.device_id, "state": DeviceState.ONLINE, "session": self.session,
                "version": __version__, "library_version": library.version,
                "checksum": library.checksum, "people": library.people,
                "samples": library.samples,
                "queue_depth": max(0, self.sync.last_local_seq() - self.acked),
                "incarnation": self.incarnation.id,
                "rejected_events": self.sync.rejected_count(),
                "bad_messages": self.bad_messages,
                "device_name": self.terminal.settings().device_name,
                "time": time.time(), **({"head": head} if head else {})}

    def _publish_status(self) -> None:
        self._last_status = time.monotonic()
        if self._decommissioned:
            return
        self.publish(topics.device_status(self.device_id), self._status_body(), retain=True)

    def _request_library(self, force: bool = False, after: int | None = None) -> None:
        if after is None:
            after = 0 if force else self.sync.library_version()
        self.publish(topics.device_library_request(self.device_id),
                     {"device": self.device_id, "after": after})
        self._last_library_request = time.monotonic()

    def _check_storage(self) -> None:
        """Offline for days: the queue is the log, bounded by disk; warn before it fills."""
        self._last_storage_check = time.monotonic()
        usage = shutil.disk_usage(self.terminal.database.path.parent)
        used = 1 - usage.free / usage.total
        if used < self.config.storage_alert_fraction:
            self._storage_alerted = False
            return
        if self._storage_alerted:
            return
        self._storage_alerted = True
        waiting = self.sync.last_local_seq() - self.acked
        self.terminal.raise_alert(AlertKind.STORAGE_LOW,
                                  f"storage {used:.0%} full; {waiting} events wait for the hub")


