"""The demo door: the sample people enrolled if the database has nobody yet."""

from __future__ import annotations

import os
from pathlib import Path

from device.errors import BadInput
from device.terminal import Terminal

REPO = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """${FACEGATE_DATA:-../shared/data}, relative to the repository."""
    return Path(os.environ.get("FACEGATE_DATA") or REPO.parent / "shared" / "data")


def seed(terminal: Terminal, data: Path | None = None) -> int:
    """Import data/faces when nobody is enrolled; returns how many people there are."""
    if terminal.people():
        return len(terminal.people())
    faces = (data or data_dir()) / "faces"
    if not faces.is_dir():
        raise BadInput(f"sample faces not found in {faces}; set FACEGATE_DATA")
    print(f"enrolling the sample people from {faces} ...", flush=True)

    def progress(i: int, total: int, person_id: str, problem: str | None) -> None:
        print(f"  {i}/{total} {person_id}" + (f": {problem}" if problem else ""), flush=True)

    terminal.import_folder(faces, progress=progress)
    return len(terminal.people())
