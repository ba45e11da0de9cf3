"""Fixtures: real API servers on free localhost ports over real SQLite files (the helpers
are in tests/support/http.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.http import Api, serve, shut, with_accounts


@pytest.fixture(scope="session")
def api_template(enrolled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The six sample people enrolled, plus the two accounts (built once)."""
    return with_accounts(enrolled_template, tmp_path_factory.mktemp("api") / "enrolled.sqlite")


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_accounts(None, tmp_path_factory.mktemp("api") / "empty.sqlite")


@pytest.fixture
def api(api_template: Path, data_dir: Path, tmp_path: Path) -> Iterator[Api]:
    """A server over a private copy of the database with the six sample people enrolled."""
    running = serve(_copy(api_template, tmp_path), data_dir)
    yield running
    shut(running)


@pytest.fixture
def empty_api(empty_template: Path, tmp_path: Path) -> Iterator[Api]:
    """A server over a new device database (accounts only)."""
    running = serve(_copy(empty_template, tmp_path))
    yield running
    shut(running)


def _copy(template: Path, folder: Path) -> Path:
    target = folder / "device.sqlite"
    shutil.copyfile(template, target)
    return target
