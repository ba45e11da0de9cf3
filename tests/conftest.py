"""Shared fixtures: real SQLite files in tmp_path, doors (Terminals) on them, the sample
data from ../shared/data. Helpers that tests import live in tests/support."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.paths import DATA
from tests.support.terminals import MakeTerminal

if TYPE_CHECKING:
    from device.terminal import Terminal

# Doors built by tests serve no HTTP API unless a test asks for one on a free port.
os.environ.setdefault("FACEGATE_API", "off")


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


@pytest.fixture
def make_terminal(db_path: Path) -> Iterator[MakeTerminal]:
    """Open doors on real SQLite files (db_path unless `path`); all are closed after the test."""
    from device.terminal import Terminal

    opened: list[Terminal] = []

    def make(path: Path | None = None, device_id: str | None = None) -> Terminal:
        terminal = Terminal.open(db_path if path is None else path, device_id=device_id)
        opened.append(terminal)
        return terminal

    yield make
    for terminal in reversed(opened):
        terminal.close()


@pytest.fixture
def terminal(make_terminal: MakeTerminal) -> Terminal:
    """A new door on an empty database at db_path, closed after the test."""
    return make_terminal()


@pytest.fixture
def enrolled_terminal(make_terminal: MakeTerminal, enrolled_db: Path) -> Terminal:
    """A door with the six sample people enrolled (device id door-t), on enrolled_db."""
    return make_terminal(enrolled_db)
