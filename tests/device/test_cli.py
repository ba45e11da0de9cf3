"""The `python -m device` contract other tools depend on: names, JSON shapes, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "device", "--db", str(db), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=300)


def test_identify_json_puts_the_door_candidate_first(enrolled_db: Path, data_dir: Path) -> None:
    group = data_dir / "groups" / "obama_and_biden.jpg"
    solo = data_dir / "faces" / "joe_biden" / "biden_1.jpg"
    done = run(enrolled_db, "identify", "--json", str(group), str(solo))
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["image"] == str(group)
    faces = first["faces"]
    assert len(faces) == 3
    areas = [(f["box"][2] - f["box"][0]) * (f["box"][1] - f["box"][3]) for f in faces]
    assert areas == sorted(areas, reverse=True)
    assert {f["person_id"] for f in faces} == {"barack_obama", "joe_biden", None}
    stranger = next(f for f in faces if f["person_id"] is None)
    assert stranger["name"] is None and stranger["distance"] > 0.55
    assert second["faces"][0]["person_id"] == "joe_biden"
    assert set(second["faces"][0]) == {"box", "person_id", "name", "distance"}


def test_import_reads_staff_id_and_name_from_file_names(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(data_dir / "faces" / "kit_harington" / "kit_1.jpg", folder / "E001_艾超.jpg")
    shutil.copy(data_dir / "faces" / "rose_leslie" / "rose_1.jpg", folder / "E002_Rose.jpg")
    (folder / "E003_Nobody.jpg").write_bytes(b"")
    db = tmp_path / "d.sqlite"
    done = run(db, "import", str(folder))
    assert done.returncode == 0, done.stderr
    assert "imported 2 people, 4 samples, 1 photos skipped" in done.stdout
    assert "E003: skipped:" in done.stderr and "the file is empty" in done.stderr
    people = [json.loads(line) for line in run(db, "people", "--json").stdout.splitlines()]
    assert [(p["person_id"], p["name"], p["samples"]) for p in people] == [
        ("E001", "艾超", 2), ("E002", "Rose", 2)]


@pytest.mark.parametrize("args, message", [
    (["remove", "nobody"], "no person with id 'nobody'"),
    (["enroll", "--id", "X1", "--name", "X", "/no/such.jpg"], "no such file"),
    (["enroll", "--id", "has space", "--name", "X", "/no/such.jpg"], "no spaces"),
    (["watch", "/no/such.mp4"], "no such video file"),
    (["settings", "match_threshold=abc"], "is not a float"),
    (["settings", "colour=red"], "unknown setting"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(enrolled_db: Path, args,
                                                            message) -> None:
    before = enrolled_db.read_bytes()
    done = run(enrolled_db, *args)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and message in done.stderr
    assert done.stdout == ""
    assert enrolled_db.read_bytes() == before


def test_not_a_database_exits_2(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("not sqlite")
    done = run(bogus, "people")
    assert done.returncode == 2 and "not a SQLite database" in done.stderr


@pytest.mark.slow
def test_watch_recognises_the_person_on_the_sample_video(enrolled_db: Path,
                                                         data_dir: Path) -> None:
    video = data_dir / "video" / "short_hamilton_clip.mp4"
    done = run(enrolled_db, "watch", "--json", str(video))
    assert done.returncode == 0, done.stderr
    decisions = [json.loads(line) for line in done.stdout.splitlines()]
    recognised = [d for d in decisions if d["person_id"]]
    assert recognised and {d["person_id"] for d in recognised} == {"lin_manuel_miranda"}
    assert decisions[0]["outcome"] == "checked_in" and decisions[0]["access_granted"]
    assert all(d["outcome"] != "checked_in" for d in decisions[1:])  # no double punch
    punches = run(enrolled_db, "punches", "--csv").stdout.strip().splitlines()
    assert len(punches) == 2 and ",lin_manuel_miranda,Lin Manuel Miranda,in," in punches[1]
    assert run(enrolled_db, "verify").returncode == 0


def test_punches_reject_a_bad_date(enrolled_db: Path) -> None:
    done = run(enrolled_db, "punches", "--from", "yesterday")
    assert done.returncode == 2 and "not an ISO date" in done.stderr
    assert done.stderr.count("\n") == 1
