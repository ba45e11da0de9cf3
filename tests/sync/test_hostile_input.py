"""One hostile message costs that message: doors and hub on a real Mosquitto keep running.

Each case was a crash or a poisoned log before (issue 12, items 1-3).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from device.errors import BadInput
from device.eventlog.chain import canonical_json
from device.strictjson import JsonError, is_canonical, loads
from device.terminal import Terminal
from sync import payloads, topics
from sync.device_side import DeviceSync
from tests.support.broker import wait_for
from tests.support.fleet import Operator, agent_on, device_punch_ids, hub_on, punches

NASTY_TEXT = ["ab\x00cd", "\x1b[31mred", "a\u202eb", "\u200b\u200b", "../escaped", "/abs",
              "a\\b", "bell\x07", "c1\x85"]


def raw_client(port: int) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def publish(client: mqtt.Client, topic: str, raw: bytes, retain: bool = False) -> None:
    client.publish(topic, raw, qos=1, retain=retain).wait_for_publish(5)


def payloads_are_strict(db: Path) -> bool:
    with sqlite3.connect(db) as c:
        return all(is_canonical(row[0]) for row in c.execute("SELECT payload FROM events"))


# -- the decoder and the log refuse non-finite numbers and bad text -----------------------

@pytest.mark.parametrize("raw", [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}',
                                 b'{"a": 1e400}', b'{"a": 9223372036854775808}',
                                 b'{"a": "\\ud800"}', b'{"a": "x\\u0000"}', b'{"a":1,"a":2}',
                                 b"[" * 100_000, b"\xff"])
def test_strict_decoder_refuses_in_one_line(raw: bytes) -> None:
    with pytest.raises(JsonError) as caught:
        loads(raw)
    assert "\n" not in str(caught.value)


def test_nothing_non_finite_can_be_written_into_the_log(tmp_path: Path) -> None:
    from device.eventlog.model import NewEvent

    t = Terminal.open(tmp_path / "d.sqlite", device_id="door-1")
    for bad in (float("nan"), float("inf"), 2**70):
        with pytest.raises(BadInput):
            t.store.append([NewEvent("RecordsCleared", {"from": bad, "to": 1.0})])
    assert t.event_count() == 0
    with pytest.raises(BadInput):
        canonical_json({"x": "\ud800"})
    t.close()


@pytest.mark.parametrize("bad", NASTY_TEXT)
def test_one_id_rule_refuses_hostile_ids(tmp_path: Path, bad: str, data_dir: Path) -> None:
    t = Terminal.open(tmp_path / "d.sqlite", device_id="door-1")
    photo = data_dir / "faces" / "joe_biden" / "biden_1.jpg"
    with pytest.raises(BadInput) as caught:
        t.enroll(bad, "Joe", [photo])
    assert "\n" not in str(caught.value)
    with pytest.raises(BadInput):
        t.remove(bad)
    with pytest.raises(BadInput):
        t.face_crops(bad)
    assert t.event_count() == 0
    t.close()


def test_names_in_any_script_pass_and_invisible_ones_do_not() -> None:
    from device.ids import check_id, check_name

    assert check_name("  艾超 ") == "艾超"
    assert check_name("Lin-Manuel Miranda") == "Lin-Manuel Miranda"
    assert check_id("E-001_a.b") == "E-001_a.b"
    for bad in ("\u200b", "a\u202eb", "x\x00", "\ud800"):
        with pytest.raises(BadInput):
            check_name(bad)


# -- an old log that already holds what is refused now ----------------------------------

def _insert_raw_event(db: Path, type_: str, payload_json: str) -> None:
    """What an older FaceGate could write: appended as the log's next event, hash-chained."""
    from device.eventlog.chain import event_hash

    with sqlite3.connect(db) as c:
        row = c.execute("SELECT hash, hlc FROM events ORDER BY position DESC LIMIT 1").fetchone()
        prev, last_hlc = (row[0], row[1]) if row else (b"\x00" * 32, 0)
        seq = (c.execute("SELECT max(seq) FROM events WHERE origin='door-1'").fetchone()[0]
               or 0) + 1
        wall, hlc = time.time(), max(last_hlc + 1, int(time.time() * 1000) << 16)
        digest = event_hash(prev, "door-1", seq, type_, 1, wall, hlc, payload_json, None)
        c.execute("INSERT INTO events (origin, seq, type, version, wall_time, hlc, payload, "
                  "sealed, prev_hash, hash) VALUES ('door-1', ?, ?, 1, ?, ?, ?, NULL, ?, ?)",
                  (seq, type_, wall, hlc, payload_json, prev, digest))


def test_an_old_log_with_a_nul_id_and_a_nan_is_quarantined_not_fatal(
        enrolled_db: Path, data_dir: Path) -> None:
    import shutil

    db = enrolled_db.parent / "old.sqlite"
    shutil.copyfile(enrolled_db, db)
    with sqlite3.connect(db) as c:
        c.execute("UPDATE device_meta SET value='door-1' WHERE key='device_id'")
    _insert_raw_event(db, "PersonEnrolled", '{"name":"x","person_id":"ab\\u0000cd"}')
    _insert_raw_event(db, "CommandReceived", '{"command":"open_door","expires_at":NaN,'
                                             '"request_id":"n1","status":"ok"}')
    t = Terminal.open(db)  # catches the projections up over both
    faces = t.identify(data_dir / "faces" / "joe_biden" / "biden_1.jpg")
    assert faces and faces[0].match.person_id is not None
    assert all(p.person_id != "ab\x00cd" for p in t.people())
    kinds = [a.kind for a in t.alerts()]
    assert kinds.count("event_quarantined") == 2
    report = t.verify()  # the NaN payload is not canonical JSON: verify names it
    assert not report.ok and report.first_bad_position is not None
    assert "JSON" in (report.reason or "")
    from sync import commands

    outcome = commands.execute(t, "later", "list_library", {}, time.time() + 30)
    assert outcome.status.value == "ok"  # json_extract over the NaN row no longer fails
    t.close()


# -- doors and hub keep running under hostile MQTT traffic ------------------------------

HOSTILE_STATUS = [
    {"state": "online", "session": 1, "people": {"x": 1}},
    {"state": "online", "session": 2**63},
    {"state": "online", "session": 1, "queue_depth": 2**64},
    {"state": "online", "session": 1, "checksum": [1]},
    {"state": "\ud800", "session": 1},
]


@pytest.mark.slow
def test_hostile_messages_cost_only_themselves(tmp_path: Path, broker) -> None:
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    db = tmp_path / "door.sqlite"
    door = Terminal.open(db, device_id="door-1")
    punches(door, 5)
    door.close()
    agent = agent_on(db, broker.url)
    evil = raw_client(broker.port)
    operator = Operator(broker.port)
    try:
        wait_for(lambda: len(hub.punches()) == 5, what="the first punches")
        for i, body in enumerate(HOSTILE_STATUS):  # retained: back at every hub restart
            raw = json.dumps({"v": 1, **body}).encode()
            publish(evil, topics.device_status(f"door-{i + 2}"), raw, retain=True)
        deep = b'{"v":1,"events":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        for topic in (topics.device_events("door-2"), topics.device_library_request("door-2"),
                      topics.device_commands("door-1"), topics.HUB_COMMANDS,
                      topics.device_ack("door-1"), topics.device_library("door-1"),
                      topics.LIBRARY_BROADCAST):
            for raw in (deep, b'{"v":1,"after":-1}', b'{"v":1,"stored_upto":NaN}',
                        b'{"v":1,"events":[{"origin":"door-2","seq":9223372036854775808}]}',
                        b'\xff', b'{"v":1,"request_id":"x","command":"punches",'
                                 b'"expires_at":1e300,"args":{"from":{},"to":1e30}}'):
                publish(evil, topic, raw)
        event = {"origin": "door-2", "seq": 1, "type": "PunchRecorded", "version": 1,
                 "wall_time": 1.7e9, "hlc": 1, "payload": {"person_id": "p", "name": "n",
                                                            "status": "in"}}
        hostile = [{**event, "seq": 1, "wall_time": float("nan")},
                   {**event, "seq": 2, "hlc": 2**63},
                   {**event, "seq": 3, "type": "FaceSampleAdded", "payload": {"person_id": "p"}},
                   {**event, "seq": 4, "payload": {"person_id": "ab\x00cd", "name": "n",
                                                   "status": "in"}}]
        for item in hostile:
            publish(evil, topics.device_events("door-2"),
                    json.dumps({"v": 1, "events": [item]}).encode())
        for command in ({"command": "open_door", "expires_at": float("nan")},
                        {"command": "clear_records", "expires_at": time.time() + 30,
                         "args": {"from": float("nan"), "to": 1}},
                        {"command": "set_time", "expires_at": time.time() + 30,
                         "args": {"time": 1e300}},
                        {"command": "remove_person", "expires_at": time.time() + 30,
                         "args": {"person_id": "\ud800"}}):
            publish(evil, topics.device_commands("door-1"),
                    json.dumps({"v": 1, "request_id": "n1", **command}).encode())
        # Still alive: a new punch arrives, commands answer, the log is clean.
        agent.service.terminal.store.append([])
        second = Terminal.open(db)
        punches(second, 3, tag="q")
        second.close()
        wait_for(lambda: len(hub.punches()) == 8, what="punches after the hostile traffic")
        answer = operator.send("door-1", "list_library")
        assert answer["status"] == "ok"
        assert agent.thread.is_alive() and hub_runner.thread.is_alive()
        assert agent.service.bad_messages > 0 and hub_runner.service.bad_messages > 0
        assert device_punch_ids(hub, "door-2") == []  # nothing of it half-applied
        # door-2's refused events are on record by sequence; the refused statuses left none
        assert {d.device_id for d in hub.devices()} <= {"door-1", "door-2"}
        check = Terminal.open(db)
        assert check.verify().ok
        check.close()
        assert payloads_are_strict(db)
    finally:
        evil.loop_stop()
        operator.close()
        agent.stop()
        hub_runner.stop()
    # A hub started again over the retained hostile statuses keeps running.
    _, runner2 = hub_on(str(tmp_path / "hub.sqlite"), broker)
    wait_for(lambda: runner2.service.bad_messages >= len(HOSTILE_STATUS), 10,
             "the retained hostile statuses to be dropped again")
    assert runner2.thread.is_alive()
    runner2.stop()


@pytest.mark.slow
def test_an_event_the_hub_refuses_is_told_by_sequence_and_the_queue_moves_on(
        tmp_path: Path, broker) -> None:
    db = tmp_path / "door.sqlite"
    door = Terminal.open(db, device_id="door-1")
    punches(door, 2)
    door.close()
    _insert_raw_event(db, "PunchRecorded", '{"name":"x","person_id":"p","status":"in",'
                                           '"time":NaN}')
    door = Terminal.open(db)
    punches(door, 2, tag="late")
    door.close()
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    agent = agent_on(db, broker.url)
    try:
        wait_for(lambda: DeviceSync(agent.service.terminal.store).acked_seq() == 5,
                 what="the queue to move past the refused event")
        assert device_punch_ids(hub, "door-1") == [1, 2, 4, 5]
        sync = DeviceSync(agent.service.terminal.store)
        assert sync.rejected_count() == 1
        alerts = [a for a in agent.service.terminal.alerts() if a.kind == "sync_rejected"]
        assert len(alerts) == 1 and "event 3" in alerts[0].detail
        status = wait_for(lambda: next((d for d in hub.devices()
                                        if d.rejected_events == 1), None),
                          what="the status to show the refused event")
        assert status.device_id == "door-1"
    finally:
        agent.stop()
        hub_runner.stop()


def test_payload_encode_refuses_nan() -> None:
    with pytest.raises(BadInput):
        payloads.encode({"x": float("nan")})
