"""Fuzzing every topic the agent and the hub subscribe to (issue 12, "Prove it").

Payloads come from the declared schemas (sync/schemas.py) and from beyond them: wrong
types, huge integers, NaN and infinities as raw text, lone surrogates, deep nesting, big
documents, raw bytes. Each goes through the service's own dispatch (what paho calls for a
message: the broker only carries the bytes). After every example: the service is alive,
the door's log verifies, every stored payload is canonical strict JSON, the hub's copy
verifies, and no refused message left a row behind.

`FACEGATE_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/sync/test_fuzz_topics.py`
is the long run (the default is kept small for `make test`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device.strictjson import is_canonical
from device.terminal import Terminal
from sync import topics
from sync.agent import SyncAgent
from sync.client import parse_broker
from sync.hub.service import HubService
from sync.hub.store import HubStore, open_hub_engine
from sync.hub.verify import verify_device
from sync.schemas import COMMAND_ARGS, SCHEMAS, Message

EXAMPLES = int(os.environ.get("FACEGATE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

FORMATS = {
    "staff-id": st.from_regex(r"\A[A-Za-z0-9_.-]{1,20}\Z").filter(lambda s: ".." not in s),
    "person-name": st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""),
    "plain-text": st.text(max_size=30),
}


def from_schema(schema: dict, custom_formats: dict = FORMATS) -> st.SearchStrategy:
    """Values of the JSON Schema subset sync/schemas.py uses (and, at the edges, just
    outside it: that is what the declared limits are for)."""
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "oneOf" in schema:
        return st.one_of(*(from_schema(s, custom_formats) for s in schema["oneOf"]))
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        low, high = schema.get("minimum", -2**63), schema.get("maximum", 2**63 - 1)
        return st.one_of(st.integers(low, high), st.sampled_from([low, high, low - 1,
                                                                  high + 1]))
    if kind == "number":
        low, high = schema.get("minimum", -1e300), schema.get("maximum", 1e300)
        return st.one_of(st.floats(low, high), st.sampled_from([low, high]))
    if kind == "string":
        if "format" in schema:
            return custom_formats[schema["format"]]
        if "pattern" in schema:
            return st.from_regex(schema["pattern"].replace("*", "{0,40}"), fullmatch=True)
        return st.text(max_size=min(schema.get("maxLength", 40), 40))
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {"type": "null"}), custom_formats),
                        max_size=min(schema.get("maxItems", 4), 4))
    if kind == "object":
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        optional = [k for k in properties if k not in required]
        return st.builds(
            lambda fixed, extra: {**fixed, **extra},
            st.fixed_dictionaries({k: from_schema(properties[k], custom_formats)
                                   for k in required if k in properties}),
            st.fixed_dictionaries({}, optional={k: from_schema(properties[k], custom_formats)
                                                for k in optional}))
    return st.none()


@dataclass
class Message_:
    """What paho hands a callback: a topic, bytes and (MQTT 5) properties."""

    topic: str
    payload: bytes
    properties: object = None


HOSTILE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "9223372036854775808",
                   "-9223372036854775809", "1" * 60]
HOSTILE_TEXT = ['"\\ud800"', '"a\\u0000b"', '"\\udfff\\ud800"', '"\\u202e"']


def _hostile_json() -> st.SearchStrategy[str]:
    """JSON text with the values Python would read but FaceGate must refuse."""
    leaf = st.sampled_from(HOSTILE_NUMBERS + HOSTILE_TEXT + ["1", "null", "true", '""',
                                                           "[]", "{}", "-1", "0"])
    return st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
        st.dictionaries(st.sampled_from(["v", "seq", "events", "after", "state", "session",
                                         "stored_upto", "command", "args", "expires_at",
                                         "request_id", "people", "payload", "origin", "type",
                                         "time", "from", "to", "person_id", "bio", "hlc",
                                         "wall_time", "version", "rejected", "chain"]),
                        inner, max_size=5).map(
            lambda d: "{" + ",".join(f'"{k}":{v}' for k, v in d.items()) + "}")),
        max_leaves=12)


def _messages(kind: Message) -> st.SearchStrategy[bytes]:
    from_declared = from_schema(SCHEMAS[kind], custom_formats=FORMATS).map(
        lambda v: json.dumps(v, allow_nan=True).encode())
    hostile = _hostile_json().map(str.encode)
    with_version = _hostile_json().map(lambda t: ('{"v":1,"x":' + t + "}").encode())
    deep = st.integers(10, 60_000).map(lambda n: b'{"v":1,"events":' + b"[" * n + b"]" * n
                                       + b"}")
    raw = st.binary(max_size=200)
    return st.one_of(from_declared, from_declared, hostile, with_version, deep, raw)


def _commands() -> st.SearchStrategy[bytes]:
    def build(command: str, args: object, expires: object) -> bytes:
        body = {"v": 1, "request_id": "fz", "command": command, "args": args,
                "expires_at": expires}
        return json.dumps(body, allow_nan=True).encode()

    args = st.one_of(*(from_schema(s, custom_formats=FORMATS) for s in COMMAND_ARGS.values()),
                     st.dictionaries(st.sampled_from(["from", "to", "time", "person_id",
                                                      "seconds"]),
                                     st.one_of(st.floats(allow_nan=True),
                                               st.integers(-2**70, 2**70), st.text(max_size=5),
                                               st.none(), st.dictionaries(st.text(), st.none())),
                                     max_size=3))
    expires = st.one_of(st.just(time.time() + 600), st.floats(allow_nan=True),
                        st.integers(-2**70, 2**70))
    return st.builds(build, st.sampled_from([*COMMAND_ARGS, "nope"]), args, expires)


def _strict_log(db: Path) -> bool:
    with sqlite3.connect(db) as c:
        return all(is_canonical(p) for (p,) in c.execute("SELECT payload FROM events"))


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("fuzz") / "door.sqlite"
    Terminal.open(db, device_id="door-1").close()
    service = SyncAgent(str(db), parse_broker("mqtt://127.0.0.1:1"))  # never connects
    yield service
    service.terminal.close()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("fuzzhub") / "hub.sqlite"
    return HubService(HubStore(open_hub_engine(str(db))), parse_broker("mqtt://127.0.0.1:1"))


AGENT_TOPICS = {
    topics.device_ack("door-1"): Message.ACK,
    topics.device_library("door-1"): Message.LIBRARY,
    topics.LIBRARY_BROADCAST: Message.LIBRARY,
    topics.device_status("door-1"): Message.STATUS,
}
HUB_TOPICS = {
    topics.device_events("door-2"): Message.EVENTS,
    topics.device_library_request("door-2"): Message.LIBRARY_REQUEST,
    topics.device_status("door-2"): Message.STATUS,
    topics.HUB_COMMANDS: Message.HUB_COMMAND,
}


def _check_door(agent: SyncAgent) -> None:
    terminal = agent.terminal
    assert _strict_log(terminal.database.path)
    report = terminal.verify()
    assert report.ok, report


def _check_hub(hub: HubService) -> None:
    """The hub's own copy holds (hashes, links, no holes). What a hostile sender claims about
    its own log ("the door reports its log ends at ...") is hub-verify doing its job."""
    for device in hub.store.devices():
        problems = verify_device(hub.store, device.device_id).problems
        assert [p for p in problems if not p.startswith("the door")] == []


@pytest.mark.slow
@pytest.mark.parametrize("topic", list(AGENT_TOPICS))
def test_the_agent_survives_anything_on(topic: str, agent) -> None:
    @FUZZ
    @given(raw=_messages(AGENT_TOPICS[topic]))
    def run(raw: bytes) -> None:
        agent._dispatch(Message_(topic, raw))  # raises only if containment failed
    run()
    _check_door(agent)


@pytest.mark.slow
def test_the_agent_survives_any_command(agent) -> None:
    before = agent.terminal.people()

    @FUZZ
    @given(raw=st.one_of(_commands(), _messages(Message.COMMAND)))
    def run(raw: bytes) -> None:
        agent._dispatch(Message_(topics.device_commands("door-1"), raw))
    run()
    _check_door(agent)
    assert agent.terminal.people() == before


@pytest.mark.slow
@pytest.mark.parametrize("topic", list(HUB_TOPICS))
def test_the_hub_survives_anything_on(topic: str, hub) -> None:
    @FUZZ
    @given(raw=_messages(HUB_TOPICS[topic]))
    def run(raw: bytes) -> None:
        hub._dispatch(Message_(topic, raw))
    run()
    _check_hub(hub)
    with hub.store.engine.connect() as c:  # whatever was stored passes its schema
        import sqlalchemy as sa

        from device.event_schemas import payload_problem
        from sync.hub.schema import hub_events
        for row in c.execute(sa.select(hub_events)):
            assert payload_problem(row.type, row.version, json.loads(row.payload)) is None
