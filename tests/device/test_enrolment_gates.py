"""Enrolment accepts real photos and refuses bad ones, each with its reason."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from device.errors import BadInput, QualityCode
from device.events import EventType, upcast
from device.library.enrolment import POLICIES, quality_problem
from device.recognition.engine import FaceQuality
from device.recognition.face_models import MOBILEFACENET
from device.terminal import Terminal


def _face(data_dir: Path, person: str, name: str) -> Image.Image:
    return Image.open(data_dir / "faces" / person / name).convert("RGB")


def _gates(terminal: Terminal) -> list[dict]:
    return [upcast(e)["gates"] for e in terminal.store.read()
            if e.type == EventType.FACE_SAMPLE_ADDED]


def test_a_bystander_at_the_edge_is_left_out_and_said(terminal: Terminal, data_dir: Path) -> None:
    photo = _face(data_dir, "joe_biden", "biden_1.jpg").resize((600, 600))
    canvas = Image.new("RGB", (900, 700), (200, 200, 200))
    canvas.paste(photo, (0, 50))
    canvas.paste(_face(data_dir, "rose_leslie", "rose_1.jpg").resize((150, 150)), (720, 520))
    terminal.enroll("biden", "Joe Biden", [np.asarray(canvas)])
    assert [g["bystanders"] for g in _gates(terminal)] == [1.0]
    gates = _gates(terminal)[0]
    assert {"size_px", "sharpness", "brightness", "yaw"} <= set(gates)


def test_the_centred_face_is_the_subject_when_the_others_sit_at_the_edges(
        terminal: Terminal, data_dir: Path) -> None:
    """A news photo: the subject in the middle, someone nearly as large cut by the edge."""
    canvas = Image.new("RGB", (1000, 600), (200, 200, 200))
    canvas.paste(_face(data_dir, "joe_biden", "biden_2.jpg").resize((360, 360)), (320, 120))
    canvas.paste(_face(data_dir, "rose_leslie", "rose_1.jpg").resize((300, 300)), (-90, 0))
    terminal.enroll("biden", "Joe Biden", [np.asarray(canvas)])
    assert [g["bystanders"] for g in _gates(terminal)] == [1.0]
    probe = data_dir / "faces" / "joe_biden" / "biden_1.jpg"  # Biden's face, not Rose's
    assert terminal.identify(probe)[0].match.person_id == "biden"


def test_two_faces_of_a_size_are_refused_as_several(terminal: Terminal, data_dir: Path) -> None:
    with pytest.raises(BadInput, match="faces found; use a photo of one person"):
        terminal.enroll("x", "X", [data_dir / "groups" / "obama_and_biden.jpg"])
    assert terminal.event_count() == 0


def test_a_photo_whose_only_face_is_20_px_is_refused(terminal: Terminal, data_dir: Path) -> None:
    canvas = Image.new("RGB", (640, 480), (180, 180, 180))
    canvas.paste(_face(data_dir, "joe_biden", "biden_2.jpg").resize((26, 26)), (300, 200))
    with pytest.raises(BadInput, match=r"too small|no face"):
        terminal.enroll("x", "X", [np.asarray(canvas)])
    assert terminal.event_count() == 0


def test_the_gates_refuse_a_turned_face_dark_and_blurred_by_their_measures() -> None:
    policy = POLICIES[MOBILEFACENET.model_id]
    good = FaceQuality(size_px=120, sharpness=140.0, brightness=116.0, yaw=0.1)
    assert quality_problem(good, policy) is None
    # 80 degrees of yaw: the nose sits more than an eye distance off the eyes' midpoint.
    def code(q: FaceQuality) -> QualityCode | None:
        problem = quality_problem(q, policy)
        return None if problem is None else problem.code

    assert code(FaceQuality(size_px=120, sharpness=140.0, brightness=116.0, yaw=1.4)) \
        is QualityCode.NOT_FRONTAL
    assert code(FaceQuality(size_px=120, sharpness=140.0, brightness=20.0, yaw=0.0)) \
        is QualityCode.TOO_DARK
    # A soft news JPEG (LFW's 0.5th percentile, 26) passes; a 3-px blur (7-13) does not.
    assert code(FaceQuality(120, 26.0, 116.0, 0.0)) is None
    assert code(FaceQuality(120, 10.0, 116.0, 0.0)) is QualityCode.BLURRED


def test_every_sample_photo_passes_the_default_gates(terminal: Terminal, data_dir: Path) -> None:
    """The sample set holds obama_4 (turned 0.36) and alex_1 (a small PNG): real photos."""
    done, errors = terminal.import_folder(data_dir / "faces")
    assert errors == [] and len({r.person_id for r in done}) == 6


def test_the_same_photo_twice_is_skipped_with_its_reason(terminal: Terminal,
                                                          data_dir: Path) -> None:
    photo = data_dir / "faces" / "kit_harington" / "kit_1.jpg"
    terminal.enroll("kit", "Kit Harington", [photo])
    before = terminal.event_count()
    with pytest.raises(BadInput, match="this photo is enrolled already"):
        terminal.enroll("kit", "Kit Harington", [photo])
    assert terminal.event_count() == before
    terminal.enroll("kit", "Kit Harington", [data_dir / "faces" / "kit_harington" / "kit_2.jpg"])


def test_a_bulk_import_reports_every_refused_file_including_misnamed_ones(
        tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(data_dir / "faces" / "joe_biden" / "biden_1.jpg", folder / "E001_Joe Biden.jpg")
    shutil.copy(data_dir / "faces" / "rose_leslie" / "rose_1.jpg", folder / "rose.jpg")
    (folder / "notes.txt").write_text("not a photo")
    (folder / "empty").mkdir()
    shutil.copy(data_dir / "groups" / "obama_and_biden.jpg", folder / "E002_Two People.jpg")
    db = tmp_path / "door.sqlite"
    done = subprocess.run([sys.executable, "-m", "device", "--db", str(db), "import",
                           str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "imported 1 people, 1 samples, 4 photos skipped" in done.stdout
    skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 4
    text = "\n".join(skipped)
    assert "rose.jpg: not named <staff_id>_<name>.jpg" in text
    assert "notes.txt: not a photo" in text
    assert "empty: a folder without photos" in text
    assert "E002_Two People.jpg" in text and "faces found" in text


def test_the_people_list_shows_the_weakest_samples_gate_scores(terminal: Terminal,
                                                               data_dir: Path) -> None:
    import json

    kit = data_dir / "faces" / "kit_harington"
    terminal.enroll("kit", "Kit Harington", [kit / "kit_1.jpg", kit / "kit_2.jpg"])
    (person,) = terminal.people()
    sharpness = [g["sharpness"] for g in _gates(terminal)]
    assert person.samples == 2 and person.quality == pytest.approx(min(sharpness), abs=0.1)
    assert person.gates is not None and person.gates["sharpness"] == min(sharpness)
    out = subprocess.run([sys.executable, "-m", "device", "--db", str(terminal.database.path),
                          "people", "--json"], capture_output=True, text=True, check=True)
    listed = json.loads(out.stdout)
    assert listed["gates"]["sharpness"] == min(sharpness) and listed["samples"] == 2
