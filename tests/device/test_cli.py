"""The `python -m device` contract other tools depend on: names, JSON shapes, exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO


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
    assert set(second["faces"][0]) == {"box", "person_id", "name", "distance", "verdict"}
    assert second["faces"][0]["verdict"] == "known"


def test_import_reads_staff_id_and_name_from_file_names(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(data_dir / "faces" / "kit_harington" / "kit_1.jpg", folder / "E001_艾超.jpg")
    shutil.copy(data_dir / "faces" / "rose_leslie" / "rose_1.jpg", folder / "E002_Rose.jpg")
    (folder / "E003_Nobody.jpg").write_bytes(b"")
    db = tmp_path / "d.sqlite"
    done = run(db, "import", str(folder))
    assert done.returncode == 0, done.stderr
    # One sample a photo: MobileFaceNet, the default engine, needs no mirror sample.
    assert "imported 2 people, 2 samples, 1 photos skipped" in done.stdout
    assert "E003: skipped:" in done.stderr and "the file is empty" in done.stderr
    people = [json.loads(line) for line in run(db, "people", "--json").stdout.splitlines()]
    assert [(p["person_id"], p["name"], p["samples"]) for p in people] == [
        ("E001", "艾超", 1), ("E002", "Rose", 1)]


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


# -- hostile edges: pipes, read-only and full disks, damaged and foreign databases ----------

def _one_error_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def _settings_of(db: Path) -> dict[str, str]:
    done = run(db, "settings")
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


def test_a_reader_that_stops_early_ends_the_command_quietly(enrolled_db: Path) -> None:
    # the pipe's reading end is closed before anything is written: every write fails
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        process = subprocess.run([sys.executable, "-m", "device", "--db", str(enrolled_db),
                                  "settings"], stdout=write_end, stderr=subprocess.PIPE,
                                 text=True, cwd=REPO, timeout=120)
    finally:
        os.close(write_end)
    assert process.stderr == "" and process.returncode in (0, 1)
    for _ in range(3):  # and the shell's own `| head -1`, racing
        done = subprocess.run(f"{shlex.quote(sys.executable)} -m device --db "
                              f"{shlex.quote(str(enrolled_db))} settings | head -1",
                              shell=True, capture_output=True, text=True, cwd=REPO,
                              timeout=120)
        assert done.stdout.startswith("device_name=") and done.stdout.count("\n") == 1
        assert done.stderr == ""


def _is_root() -> bool:
    return os.geteuid() == 0


@contextlib.contextmanager
def _tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tiny file system of its own (root only); unmounted however the test ends."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _checkpointed_copy(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(source, target)
    return target


def test_a_read_only_database_file_gives_one_line(enrolled_db: Path) -> None:
    before = _settings_of(enrolled_db)
    if _is_root():  # root writes through file modes: make the file immutable instead
        made = subprocess.run(["chattr", "+i", str(enrolled_db)], capture_output=True,
                              text=True)
        if made.returncode != 0:
            pytest.skip(f"root, and chattr +i does not work here: {made.stderr.strip()}")
        undo = ["chattr", "-i", str(enrolled_db)]
    else:
        enrolled_db.chmod(0o444)
        undo = ["chmod", "644", str(enrolled_db)]
    try:
        done = run(enrolled_db, "settings", "debounce_seconds=7")
        line = _one_error_line(done)
        assert done.returncode != 0 and "read-only" in line and "nothing was written" in line
        people = run(enrolled_db, "people")  # reading still works
        assert people.returncode == 0 and len(people.stdout.splitlines()) == 6
    finally:
        subprocess.run(undo, check=True)
    assert _settings_of(enrolled_db) == before
    assert run(enrolled_db, "verify").returncode == 0


def test_a_read_only_folder_gives_one_line(enrolled_db: Path, tmp_path: Path) -> None:
    if _is_root():  # root writes through file modes: a read-only mount instead
        with _tmpfs(tmp_path / "ro", "8m") as folder:
            db = _checkpointed_copy(enrolled_db, folder / "device.sqlite")
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            for args in (["people"], ["settings", "debounce_seconds=7"]):
                done = run(db, *args)
                line = _one_error_line(done)
                assert done.returncode != 0 and str(db) in line
            subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True)
            assert _settings_of(db)["debounce_seconds"] != "7.0"
            assert run(db, "verify").returncode == 0
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        db = _checkpointed_copy(enrolled_db, folder / "device.sqlite")
        folder.chmod(0o555)
        try:
            done = run(db, "settings", "debounce_seconds=7")
            _one_error_line(done)
            assert done.returncode != 0
        finally:
            folder.chmod(0o755)
        assert _settings_of(db)["debounce_seconds"] != "7.0"


def test_a_full_disk_gives_one_line_and_loses_nothing(enrolled_db: Path, tmp_path: Path,
                                                      data_dir: Path) -> None:
    if not _is_root():
        pytest.skip("simulating a full disk needs a tiny tmpfs, and mounting one needs root")
    with _tmpfs(tmp_path / "small", "4m") as folder:
        db = _checkpointed_copy(enrolled_db, folder / "device.sqlite")
        before = _settings_of(db)
        events = _event_count(db)
        filler = folder / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * 4096)
        finally:
            os.close(fd)
        for args in (["settings", "debounce_seconds=7"],
                     ["enroll", "--id", "E9", "--name", "Kit",
                      str(data_dir / "faces" / "kit_harington" / "kit_1.jpg")]):
            done = run(db, *args)
            line = _one_error_line(done)
            assert done.returncode != 0 and "full" in line, line
        filler.unlink()
        assert _settings_of(db) == before
        assert _event_count(db) == events
        assert run(db, "verify").returncode == 0
        assert len(run(db, "people").stdout.splitlines()) == 6


def _event_count(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


def test_a_dropped_table_gives_one_line(enrolled_db: Path) -> None:
    with sqlite3.connect(enrolled_db) as connection:
        connection.execute("DROP TABLE face_samples")
    events = _event_count(enrolled_db)
    for args in (["people"], ["settings", "debounce_seconds=7"], ["verify"]):
        done = run(enrolled_db, *args)
        line = _one_error_line(done)
        assert done.returncode != 0 and "face_samples" in line and "damaged" in line
    assert _event_count(enrolled_db) == events


def test_export_refuses_ids_that_would_leave_the_folder(enrolled_db: Path,
                                                        tmp_path: Path) -> None:
    target = tmp_path / "out" / "crops"
    for bad in ("../escaped", "../../etc/evil", str(tmp_path / "abs"), "a\\b", ".."):
        done = run(enrolled_db, "export", bad, str(target))
        assert done.returncode == 2, (bad, done.stderr)
        assert "staff id" in _one_error_line(done)
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob("**/*.jpg"))
    good = run(enrolled_db, "export", "joe_biden", str(target))
    assert good.returncode == 0 and len(list(target.glob("joe_biden_*.jpg"))) >= 1


def test_a_foreign_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    foreign = tmp_path / "contacts.sqlite"
    with contextlib.closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        connection.execute("INSERT INTO contacts VALUES ('Li', '138')")
        connection.commit()
    before = foreign.read_bytes()
    for args in (["people"], ["settings", "debounce_seconds=7"]):
        done = run(foreign, *args)
        line = _one_error_line(done)
        assert done.returncode == 2 and "not a FaceGate database" in line and "contacts" in line
    assert foreign.read_bytes() == before  # not switched to WAL, not extended
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.sqlite"]


def test_empty_files_and_empty_sqlite_databases_become_device_databases(tmp_path: Path) -> None:
    empty_file = tmp_path / "empty.sqlite"
    empty_file.write_bytes(b"")
    empty_sqlite = tmp_path / "blank.sqlite"
    with contextlib.closing(sqlite3.connect(empty_sqlite)) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("DROP TABLE t")
        connection.commit()
    assert empty_sqlite.read_bytes().startswith(b"SQLite format 3\0")
    for db in (empty_file, empty_sqlite, tmp_path / "new.sqlite"):
        done = run(db, "settings", "debounce_seconds=7")
        assert done.returncode == 0, done.stderr
        assert _settings_of(db)["debounce_seconds"] == "7.0"
