"""Samples know their model; switching engines re-encodes first, resumes, never half-switches."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from device.event_payloads import FaceSampleAdded
from device.events import EventType, upcast
from device.library import engine_switch
from device.recognition.face_models import DLIB_RESNET, MOBILEFACENET
from device.recognition.matcher import FaceIndex
from device.terminal import Terminal
from tests.support.terminals import MakeTerminal


def _photos(data_dir: Path, person: str, n: int = 1) -> list[Path]:
    return sorted((data_dir / "faces" / person).iterdir())[:n]


def _sample_models(terminal: Terminal) -> list[tuple[str, int]]:
    out = []
    for event in terminal.store.read():
        if event.type == EventType.FACE_SAMPLE_ADDED:
            p = upcast(event)
            out.append((p["model"], p["dim"]))
    return out


def test_a_new_door_enrols_with_mobilefacenet_and_each_sample_names_its_model(
        terminal: Terminal, data_dir: Path) -> None:
    assert terminal.settings().face_engine == "mobileface"
    terminal.enroll("obama", "Barack Obama", _photos(data_dir, "barack_obama"))
    # MobileFaceNet's encodings average each face with its mirror image: no mirror sample.
    assert _sample_models(terminal) == [(MOBILEFACENET.model_id, 192)]
    faces = terminal.identify(_photos(data_dir, "barack_obama", 2)[1])
    assert faces[0].match.person_id == "obama"
    assert terminal.cache.index.dim == 192


def test_a_version_1_sample_reads_as_dlib_128() -> None:
    from device.eventlog.model import RecordedEvent

    old = RecordedEvent(position=1, origin="door", seq=1, type=EventType.FACE_SAMPLE_ADDED,
                        version=1, wall_time=0.0, hlc=0, payload_json=json.dumps(
                            {"person_id": "a", "sample_id": "s1", "key_id": "person:a"}),
                        sealed=None, prev_hash=b"", hash=b"")
    sample = FaceSampleAdded.of(upcast(old))
    assert (sample.model, sample.dim) == (DLIB_RESNET.model_id, 128)


def test_switching_engines_reencodes_every_sample_from_its_crop_then_switches(
        make_terminal: MakeTerminal, data_dir: Path) -> None:
    door = make_terminal()
    door.change_settings(face_engine="dlib")  # an empty library: switched at once
    door.enroll("obama", "Barack Obama", _photos(data_dir, "barack_obama"))
    door.enroll("biden", "Joe Biden", _photos(data_dir, "joe_biden"))
    assert door.library_models() == {DLIB_RESNET.model_id: 4}  # photo + mirror each
    report = door.switch_engine("mobileface")
    assert report.switched and report.reencoded == 2 and not report.unencodable
    assert door.settings().face_engine == "mobileface"
    assert door.library_models() == {DLIB_RESNET.model_id: 4, MOBILEFACENET.model_id: 2}
    faces = door.identify(_photos(data_dir, "joe_biden", 2)[1])
    assert faces[0].match.person_id == "biden"
    again = door.switch_engine("mobileface")  # nothing left to do
    assert (again.reencoded, again.already) == (0, 2)


def test_an_interrupted_switch_keeps_the_old_engine_and_resumes(
        make_terminal: MakeTerminal, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    door = make_terminal()
    door.change_settings(face_engine="dlib")
    for person, folder in (("obama", "barack_obama"), ("biden", "joe_biden"),
                           ("rose", "rose_leslie")):
        door.enroll(person, person.title(), _photos(data_dir, folder))
    monkeypatch.setattr(engine_switch, "CHUNK", 1)
    real_append = engine_switch._append
    calls = {"n": 0}

    def dies_after_one_chunk(*args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the power went
        real_append(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_switch, "_append", dies_after_one_chunk)
    with pytest.raises(KeyboardInterrupt):
        door.switch_engine("mobileface")
    reopened = make_terminal()
    assert reopened.settings().face_engine == "dlib"  # never half-switched
    assert reopened.engine.model_id == DLIB_RESNET.model_id
    assert reopened.library_models()[MOBILEFACENET.model_id] == 1
    monkeypatch.setattr(engine_switch, "_append", real_append)
    report = reopened.switch_engine("mobileface")
    assert (report.already, report.reencoded) == (1, 2)
    assert reopened.library_models()[MOBILEFACENET.model_id] == 3


def test_a_crop_the_new_engine_finds_no_face_in_is_reported_by_person(
        make_terminal: MakeTerminal, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    door = make_terminal()
    door.change_settings(face_engine="dlib")
    door.enroll("obama", "Barack Obama", _photos(data_dir, "barack_obama"))
    monkeypatch.setattr(engine_switch, "reencode",
                        lambda engine, source: "no face found in the stored crop")
    report = door.switch_engine("mobileface")
    assert [(u.person_id, u.reason) for u in report.unencodable] == [
        ("obama", "no face found in the stored crop")]
    assert report.people_without_sample == 1


def _write_a_version_1_library(db: Path, data_dir: Path) -> None:
    """A log as FaceGate wrote it before samples named their model: v1 sample events (dlib
    encodings, no model), then the schema taken back to revision 0002."""
    from alembic import command

    from device import biometrics
    from device.eventlog.model import NewEvent
    from device.library.enrolment import samples_from_image
    from device.recognition.engine import FaceEngine
    from device.storage.migrate import alembic_config

    door = Terminal.open(db, device_id="old-door")
    samples = samples_from_image(FaceEngine(), _photos(data_dir, "barack_obama")[0])
    with door.store.transaction() as txn:
        key = biometrics.key_for(txn.connection, "person:obama", create=True)
        assert key is not None
        new = [NewEvent(EventType.PERSON_ENROLLED, {"person_id": "obama", "name": "Obama"})]
        for i, sample in enumerate(samples):
            sealed = biometrics.seal(key, biometrics.pack_sample(sample.encoding,
                                                                 sample.crop_jpeg), f"s{i}")
            new.append(NewEvent(EventType.FACE_SAMPLE_ADDED, {
                "person_id": "obama", "sample_id": f"s{i}", "key_id": "person:obama",
                "quality": 100.0, "mirrored": sample.mirrored}, version=1, sealed=sealed))
        txn.append(new)
    engine = door.database.engine
    door.close()
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")


def test_a_library_from_before_engines_were_a_setting_stays_dlib(
        make_terminal: MakeTerminal, db_path: Path, data_dir: Path) -> None:
    _write_a_version_1_library(db_path, data_dir)
    upgraded = make_terminal()  # migration 0003 runs at open
    assert upgraded.settings().face_engine == "dlib"
    assert upgraded.library_models() == {DLIB_RESNET.model_id: 2}
    assert upgraded.identify(_photos(data_dir, "barack_obama", 2)[1])[0].match.known
    report = upgraded.switch_engine("mobileface")  # and onwards, from the old crops
    assert report.reencoded == 1 and not report.unencodable
    assert upgraded.identify(_photos(data_dir, "barack_obama", 2)[1])[0].match.person_id \
        == "obama"


def test_samples_that_arrive_by_sync_pin_nothing(make_terminal: MakeTerminal,
                                                 data_dir: Path) -> None:
    door = make_terminal()
    door.change_settings(face_engine="dlib")
    door.enroll("obama", "Barack Obama", _photos(data_dir, "barack_obama"))
    with sqlite3.connect(door.database.path) as c:
        c.execute("DELETE FROM settings WHERE key = 'face_engine'")  # as a synced library
    door.close()
    assert make_terminal().settings().face_engine == "mobileface"


def test_the_index_takes_any_dimension_and_refuses_the_wrong_one() -> None:
    index = FaceIndex(dim=192)
    vector = np.random.default_rng(1).normal(size=192)
    index.add("s", "p", vector / np.linalg.norm(vector))
    assert index.search(vector / np.linalg.norm(vector))[0].person_id == "p"
    with pytest.raises(ValueError, match="expected"):
        index.search(np.zeros(128))


def test_identify_says_ambiguous_for_a_near_tie(terminal: Terminal, data_dir: Path) -> None:
    photo = _photos(data_dir, "barack_obama")[0]
    terminal.enroll("obama", "Barack Obama", [photo])
    terminal.enroll("obama2", "Barack Obama Again", [_photos(data_dir, "barack_obama", 2)[1]],
                    force=True)
    faces = terminal.identify(_photos(data_dir, "barack_obama", 3)[2])
    assert faces[0].match.verdict.value == "ambiguous"
    assert faces[0].match.person_id is None


def test_identify_json_carries_the_verdict(terminal: Terminal, data_dir: Path) -> None:
    import subprocess
    import sys

    db = str(terminal.database.path)
    terminal.enroll("obama", "Barack Obama", _photos(data_dir, "barack_obama"))
    stranger = _photos(data_dir, "rose_leslie")[0]
    out = subprocess.run([sys.executable, "-m", "device", "--db", db, "identify", "--json",
                          str(stranger)], capture_output=True, text=True, check=True)
    face = json.loads(out.stdout)["faces"][0]
    assert (face["verdict"], face["person_id"]) == ("unknown", None)


def test_a_face_too_small_to_name_is_found_but_never_named(terminal: Terminal,
                                                           data_dir: Path) -> None:
    from PIL import Image

    from device.recognition.decision import MIN_NAMED_FACE_PX

    photo = _photos(data_dir, "joe_biden", 2)[1]
    terminal.enroll("biden", "Joe Biden", [photo])
    canvas = Image.new("RGB", (640, 480), (180, 180, 180))
    canvas.paste(Image.open(photo).convert("RGB").resize((70, 70)), (300, 200))
    (face,) = terminal.identify(np.asarray(canvas))
    assert face.box[1] - face.box[3] < MIN_NAMED_FACE_PX
    assert (face.match.verdict.value, face.match.person_id, face.match.distance) == (
        "unknown", None, None)
