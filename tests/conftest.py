"""Shared fixtures: real SQLite files in tmp_path, the sample data from ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Doors built by tests serve no HTTP API unless a test asks for one on a free port.
os.environ.setdefault("FACEGATE_API", "off")
DATA = Path(os.environ.get("FACEGATE_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA / "faces").is_dir():
        pytest.fail(f"sample data not found at {DATA}; set FACEGATE_DATA")
    return DATA


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "device.sqlite"


@pytest.fixture(scope="session")
def enrolled_template(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A device database with the six sample people enrolled, built once per session."""
    from device.terminal import Terminal

    path = tmp_path_factory.mktemp("template") / "enrolled.sqlite"
    terminal = Terminal.open(path, device_id="door-t")
    done, errors = terminal.import_folder(data_dir / "faces")
    assert not errors and len({r.person_id for r in done}) == 6
    terminal.close()
    return path


@pytest.fixture
def enrolled_db(enrolled_template: Path, tmp_path: Path) -> Path:
    """A private copy of the enrolled template (WAL checkpointed, so one file suffices)."""
    import shutil
    import sqlite3

    with sqlite3.connect(enrolled_template) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = tmp_path / "device.sqlite"
    shutil.copyfile(enrolled_template, target)
    return target
