"""Sync carries each sample's model; the hub keeps it; a door never matches across models."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from device.events import CURRENT_VERSION, EventType
from device.terminal import Terminal
from sync.device_side import DeviceSync
from sync.hub.store import HubStore, open_hub_engine
from sync.payloads import PayloadError
from sync.wire import WireEvent, from_wire, to_wire
from tests.support.broker import wait_for
from tests.support.fleet import agent_on, hub_on


def _sample_item(dim: int, numbers: int, model: str = "yunet2023mar-mobilefacenet192",
                 version: int = 2) -> dict:
    payload: dict[str, object] = {"person_id": "p1", "sample_id": "s1"}
    if version == 2:
        payload |= {"model": model, "dim": dim}
    vector = np.ones(numbers) / np.sqrt(numbers)
    return to_wire(WireEvent("hub-x", 1, EventType.FACE_SAMPLE_ADDED, version, 1.0, 1, payload),
                   vector, b"crop")


def test_the_wire_checks_an_encoding_against_the_dimension_its_sample_declares() -> None:
    event = from_wire(_sample_item(192, 192))
    assert event.encoding is not None and event.encoding.shape == (192,)
    with pytest.raises(PayloadError, match="encoding is not 192 numbers") as refused:
        from_wire(_sample_item(192, 128))
    assert "\n" not in str(refused.value)
    legacy = from_wire(_sample_item(0, 128, version=1))  # v1: dlib's 128 numbers
    assert legacy.encoding is not None and legacy.encoding.shape == (128,)
    with pytest.raises(PayloadError, match="declares dimension"):
        from_wire(_sample_item(10**6, 128))


def test_the_hub_keeps_each_samples_model_and_sends_it_at_the_current_version(
        tmp_path: Path) -> None:
    store = HubStore(open_hub_engine(str(tmp_path / "hub.sqlite")))
    item = _sample_item(192, 192)
    change = from_wire(item)
    store.append_library([WireEvent("hub", 1, EventType.PERSON_ENROLLED, 1, 0.0, 0,
                                    {"person_id": "p1", "name": "P One"}), change])
    with sqlite3.connect(tmp_path / "hub.sqlite") as c:
        assert c.execute("SELECT model FROM hub_samples").fetchall() == [
            ("yunet2023mar-mobilefacenet192",)]
        # A row stored by a hub from before samples named their model: v1, dlib's.
        c.execute("UPDATE hub_library SET payload = ? WHERE type = ?",
                  (json.dumps({"person_id": "p1", "sample_id": "old"}),
                   EventType.FACE_SAMPLE_ADDED.value))
    events, _ = store.library_after(0)
    sample = next(e for e in events if e["type"] == EventType.FACE_SAMPLE_ADDED)
    assert sample["version"] == CURRENT_VERSION[EventType.FACE_SAMPLE_ADDED]
    assert (sample["payload"]["model"], sample["payload"]["dim"]) == ("dlib-resnet-v1", 128)


def test_a_door_keeps_a_sample_of_another_model_but_never_matches_it(
        tmp_path: Path, broker, data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Door A enrols with dlib, door B runs MobileFaceNet: B holds A's samples and does not
    name the person from them; after B re-encodes them from their crops, it does."""
    a_db, b_db = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    a = Terminal.open(a_db, device_id="door-a")
    a.change_settings(face_engine="dlib")
    a.enroll("obama", "Barack Obama", [data_dir / "faces" / "barack_obama" / "obama_1.jpg"])
    a.close()
    Terminal.open(b_db, device_id="door-b").close()
    _hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    agents = [agent_on(a_db, broker.url), agent_on(b_db, broker.url)]
    try:
        def b_has_them() -> bool:
            return DeviceSync(agents[1].service.terminal.store).library_state().version >= 3
        wait_for(b_has_them, 60, "door B to receive door A's person and samples")
    finally:
        for runner in agents:
            runner.stop()
        hub_runner.stop()
    b = Terminal.open(b_db)
    try:
        assert b.library_models() == {"dlib-resnet-v1": 2}
        probe = data_dir / "faces" / "barack_obama" / "obama_2.jpg"
        assert not b.identify(probe)[0].match.known  # never matched across models
        report = b.switch_engine("mobileface")  # re-encoded from the synced crops
        assert report.reencoded == 1
        assert b.identify(probe)[0].match.person_id == "obama"
    finally:
        b.close()


def test_a_sample_of_a_model_nobody_knows_is_said_in_one_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from sync.device_side import _say_if_foreign_model

    with caplog.at_level(logging.WARNING, logger="facegate"):
        _say_if_foreign_model(2, {"person_id": "p", "sample_id": "s", "model": "arcface-r100",
                                  "dim": 512})
        _say_if_foreign_model(2, {"person_id": "p", "sample_id": "t",
                                  "model": "dlib-resnet-v1", "dim": 128})
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and "'arcface-r100'" in said[0] and "kept, not matched" in said[0]
