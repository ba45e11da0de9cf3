"""docs/mosquitto/facegate.conf and docs/mosquitto/acl on a real Mosquitto (issue 12, item 8).

Nobody takes over another client's connection with its client id, and only the addressed
requester reads an answer, which only the answering door (or a hub) can have written.
Raw paho clients, MQTT 5, a password file made with mosquitto_passwd.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from sync import topics
from tests.support.broker import (
    DOCS,
    Broker,
    documented_broker,
    documented_options,
    password,
    wait_for,
)

NOT_AUTHORIZED = 0x87


def acl_blocks(text: str) -> dict[str, list[str]]:
    """The rules of each `user` block of an ACL file (comments and blank lines dropped)."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("user "):
            current = blocks.setdefault(line.split(None, 1)[1], [])
        elif line.startswith("pattern "):
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def acl_with_operators(directory: Path, *names: str) -> Path:
    """docs/mosquitto/acl with the operator block repeated for each of `names`, as documented."""
    text = (DOCS / "acl").read_text()
    rules = acl_blocks(text)["operator"]
    extra = "".join(
        f"\nuser {name}\n" + "".join(re.sub(r"\boperator\b", name, r) + "\n" for r in rules)
        for name in names)
    acl = directory / "facegate.acl"
    acl.write_text(text + extra)
    return acl


class Peer:
    """A raw MQTT 5 client that logs in as `user` and records everything the broker says."""

    def __init__(self, port: int, user: str, client_id: str = "") -> None:
        self.user = user
        self.messages: list[tuple[str, bytes]] = []
        self.connects: list[ReasonCode] = []
        self.disconnects: list[ReasonCode] = []
        self._subacks: dict[int, list[ReasonCode]] = {}
        self._pubacks: dict[int, ReasonCode] = {}
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=mqtt.MQTTv5)
        self.client.username_pw_set(user, password(user))
        self.client.on_connect = lambda _c, _u, _f, rc, _p: self.connects.append(rc)
        self.client.on_disconnect = lambda _c, _u, _f, rc, _p: self.disconnects.append(rc)
        self.client.on_message = lambda _c, _u, m: self.messages.append((m.topic, bytes(m.payload)))
        self.client.on_subscribe = lambda _c, _u, mid, rcs, _p: self._subacks.__setitem__(mid,
                                                                                          rcs)
        self.client.on_publish = lambda _c, _u, mid, rc, _p: self._pubacks.__setitem__(mid, rc)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        wait_for(lambda: self.connects, 5, f"the broker's answer to {user}")
        assert not self.connects[0].is_failure, (user, self.connects[0])

    def subscribe(self, *topic_filters: str) -> None:
        for topic_filter in topic_filters:
            _rc, mid = self.client.subscribe(topic_filter, qos=1)

            def acked(mid: int | None = mid) -> bool:
                return mid in self._subacks

            wait_for(acked, 5, f"SUBACK for {topic_filter}")

    def publish(self, topic: str, payload: bytes = b'{"v": 1}') -> ReasonCode:
        """Publish at QoS 1 and return the PUBACK's reason code."""
        info = self.client.publish(topic, payload, qos=1)
        wait_for(lambda: info.mid in self._pubacks, 5, f"PUBACK for {self.user} on {topic}")
        return self._pubacks[info.mid]

    def received(self, topic: str) -> list[bytes]:
        return [payload for t, payload in self.messages if t == topic]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[tuple[Broker, list[Peer]]]:
    """The documented broker (with operators op1 and op2 added as documented)."""
    broker = documented_broker(tmp_path, acl=acl_with_operators(tmp_path, "op1", "op2"))
    opened: list[Peer] = []
    yield broker, opened
    for peer in opened:
        peer.close()
    broker.kill()


def _peer(peers: tuple[Broker, list[Peer]], user: str, client_id: str = "") -> Peer:
    broker, opened = peers
    peer = Peer(broker.port, user, client_id)
    opened.append(peer)
    return peer


def _forbidden(peer: Peer, topic: str) -> None:
    code = peer.publish(topic, b'{"v": 1, "forged": true}')
    assert code.value == NOT_AUTHORIZED, f"{peer.user} may publish on {topic}: {code}"


def _allowed(peer: Peer, topic: str, payload: bytes = b'{"v": 1}') -> None:
    code = peer.publish(topic, payload)
    assert not code.is_failure, f"{peer.user} may not publish on {topic}: {code}"


# -- the documents themselves -----------------------------------------------------------


def test_documented_config_ties_client_ids_to_user_names() -> None:
    assert "use_username_as_clientid true" in documented_options().splitlines()
    config = (DOCS / "facegate.conf").read_text().splitlines()
    listener = next(i for i, line in enumerate(config) if line.startswith("listener "))
    assert config.index("use_username_as_clientid true") > listener  # a listener option


def test_every_hub_user_has_the_same_rules_and_none_may_pose_as_a_door() -> None:
    blocks = acl_blocks((DOCS / "acl").read_text())
    assert {"hub", "hub-2", "operator"} <= set(blocks)
    assert [r.replace("/hub-2/", "/hub/") for r in blocks["hub-2"]] == blocks["hub"]
    for user, rules in blocks.items():
        assert rules[0] == f"topic deny facegate/v1/devices/{user}/#", user
        assert not any("operators/" in r for r in rules), user
    assert "topic write facegate/v1/hub/replies/+" in blocks["hub"]
    assert not any("replies" in r and "read" in r for r in blocks["hub"])
    assert not any("replies" in r for r in blocks["operator"])  # patterns do that


def test_reply_topic_helpers() -> None:
    assert topics.device_replies("door-1", "op1") == "facegate/v1/devices/door-1/replies/op1"
    assert topics.hub_replies("op1") == "facegate/v1/hub/replies/op1"
    assert topics.all_device_replies("op1") == "facegate/v1/devices/+/replies/op1"
    assert topics.ALL_HUB_REPLIES == "facegate/v1/hub/replies/+"
    assert topics.device_of(topics.device_replies("door-1", "op1")) == "door-1"
    assert topics.is_device_reply_topic(topics.device_replies("door-1", "op1"), "door-1")
    for wrong in (topics.device_replies("door-2", "op1"), topics.hub_replies("op1"),
                  "facegate/v1/operators/op1/responses", "facegate/v1/devices/door-1/replies/",
                  "facegate/v1/devices/door-1/replies/op1/x", topics.device_commands("door-1")):
        assert not topics.is_device_reply_topic(wrong, "door-1"), wrong
    assert topics.is_hub_reply_topic(topics.hub_replies("op1"))
    for wrong in (topics.device_replies("door-1", "op1"), "facegate/v1/hub/replies/",
                  "facegate/v1/hub/replies/a/b", "facegate/v1/hub/replies/+"):
        assert not topics.is_hub_reply_topic(wrong), wrong


# -- client ids ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_door_using_another_doors_client_id_does_not_take_over(peers) -> None:
    door1 = _peer(peers, "door-1", client_id="facegate-door-1")
    door1.subscribe(topics.device_commands("door-1"))
    operator = _peer(peers, "operator")
    for attempt in range(3):  # again and again: it would fight door-1's reconnects
        intruder = _peer(peers, "door-2", client_id="facegate-door-1")
        _allowed(operator, topics.device_commands("door-1"), b'{"attempt": %d}' % attempt)
        def delivered(a: int = attempt) -> bool:
            return len(door1.received(topics.device_commands("door-1"))) > a

        wait_for(delivered, 5, f"door-1's command after takeover attempt {attempt}")
        assert intruder.disconnects == []
        intruder.close()
    assert door1.disconnects == []
    assert len(door1.connects) == 1
    assert len(door1.received(topics.device_commands("door-1"))) == 3


@pytest.mark.slow
def test_two_hub_instances_log_in_as_two_users_and_both_stay(peers) -> None:
    hubs = [_peer(peers, "hub", client_id="facegate-hub"),
            _peer(peers, "hub-2", client_id="facegate-hub")]
    for hub in hubs:
        hub.subscribe(topics.shared(topics.ALL_DEVICE_EVENTS))
    door = _peer(peers, "door-1")
    operator = _peer(peers, "operator")
    operator.subscribe(topics.hub_replies("operator"))
    for n in range(10):
        _allowed(door, topics.device_events("door-1"), b'{"n": %d}' % n)
    wait_for(lambda: sum(len(h.messages) for h in hubs) == 10, 10,
             "each event handed to one hub")
    for hub in hubs:
        _allowed(hub, topics.hub_replies("operator"), hub.user.encode())
        _allowed(hub, topics.device_ack("door-1"))
    wait_for(lambda: len(operator.received(topics.hub_replies("operator"))) == 2, 5,
             "an answer from each hub")
    assert [h.disconnects for h in hubs] == [[], []]
    # Why one user per instance: the same user twice is the same client; the later wins.
    again = _peer(peers, "hub")
    wait_for(lambda: hubs[0].disconnects, 5, "the first 'hub' connection to be replaced")
    again.close()
    assert hubs[1].disconnects == []


# -- replies -------------------------------------------------------------------------------


@pytest.mark.slow
def test_only_the_addressed_operator_reads_a_doors_answer(peers) -> None:
    op1, op2 = _peer(peers, "op1"), _peer(peers, "op2")
    op1.subscribe(topics.all_device_replies("op1"), topics.hub_replies("op1"))
    op2.subscribe("facegate/v1/devices/+/replies/+", topics.device_replies("door-1", "op1"),
                  topics.ALL_HUB_REPLIES, "facegate/v1/#")
    door1, hub = _peer(peers, "door-1"), _peer(peers, "hub")
    _allowed(door1, topics.device_replies("door-1", "op1"), b"for op1")
    _allowed(door1, topics.device_replies("door-1", "op2"), b"for op2")
    _allowed(hub, topics.hub_replies("op1"), b"hub for op1")
    _allowed(hub, topics.hub_replies("op2"), b"hub for op2")
    mine = {"op1": {(topics.device_replies("door-1", "op1"), b"for op1"),
                    (topics.hub_replies("op1"), b"hub for op1")},
            "op2": {(topics.device_replies("door-1", "op2"), b"for op2"),
                    (topics.hub_replies("op2"), b"hub for op2")}}
    # op2's subscriptions overlap, so Mosquitto may deliver some of its answers twice.
    wait_for(lambda: mine["op1"] <= set(op1.messages) and mine["op2"] <= set(op2.messages),
             5, "each operator's answers")
    assert set(op1.messages) == mine["op1"]
    assert set(op2.messages) == mine["op2"]


@pytest.mark.slow
def test_nobody_forges_a_doors_or_the_hubs_answer(peers) -> None:
    op1 = _peer(peers, "op1")
    op1.subscribe(topics.all_device_replies("op1"), topics.hub_replies("op1"))
    door1, door2 = _peer(peers, "door-1"), _peer(peers, "door-2")
    op2, hub = _peer(peers, "op2"), _peer(peers, "hub")
    for forger in (door2, op2, hub):
        _forbidden(forger, topics.device_replies("door-1", "op1"))
    for forger in (door1, door2, op2):
        _forbidden(forger, topics.hub_replies("op1"))
    # A door answers under its own id only, so the topic tells the operator who answered.
    _allowed(door2, topics.device_replies("door-2", "op1"), b"door-2 speaking")
    _allowed(door1, topics.device_replies("door-1", "op1"), b"door-1 speaking")
    _allowed(hub, topics.hub_replies("op1"), b"hub speaking")
    wait_for(lambda: len(op1.messages) == 3, 5, "the three genuine answers")
    assert sorted(op1.messages) == sorted([
        (topics.device_replies("door-2", "op1"), b"door-2 speaking"),
        (topics.device_replies("door-1", "op1"), b"door-1 speaking"),
        (topics.hub_replies("op1"), b"hub speaking")])


@pytest.mark.slow
def test_the_old_operator_response_topics_are_closed(peers) -> None:
    for user in ("door-1", "hub", "op2"):
        peer = _peer(peers, user)
        for topic in ("facegate/v1/operators/op1/responses", "facegate/v1/operators/me/responses"):
            _forbidden(peer, topic)
    op1 = _peer(peers, "op1")
    op1.subscribe("facegate/v1/operators/#")
    door1 = _peer(peers, "door-1")
    _forbidden(door1, "facegate/v1/operators/op1/responses")
    op1.subscribe(topics.all_device_replies("op1"))
    _allowed(door1, topics.device_replies("door-1", "op1"), b"sentinel")
    wait_for(lambda: op1.messages, 5, "the sentinel")
    assert op1.messages == [(topics.device_replies("door-1", "op1"), b"sentinel")]


@pytest.mark.slow
def test_hub_and_operator_users_cannot_pose_as_a_door_of_their_name(peers) -> None:
    """Pattern lines apply to every user; the deny lines take the device rights away."""
    hub = _peer(peers, "hub")
    hub.subscribe(topics.ALL_DEVICE_EVENTS, topics.ALL_DEVICE_STATUS,
                  topics.ALL_LIBRARY_REQUESTS)
    for peer in (hub, *(_peer(peers, user) for user in ("hub-2", "operator", "op1"))):
        user = peer.user
        for topic in (topics.device_events(user), topics.device_status(user),
                      topics.device_library_request(user),
                      topics.device_replies(user, "op1")):
            _forbidden(peer, topic)
    door1 = _peer(peers, "door-1")
    _allowed(door1, topics.device_events("door-1"), b"sentinel")
    wait_for(lambda: hub.messages, 5, "the sentinel")
    assert hub.messages == [(topics.device_events("door-1"), b"sentinel")]
