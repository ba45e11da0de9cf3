"""Shared fixtures: real SQLite files in tmp_path, the sample data from ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("FACEGATE_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA / "faces").is_dir():
        pytest.fail(f"sample data not found at {DATA}; set FACEGATE_DATA")
    return DATA


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "device.sqlite"
