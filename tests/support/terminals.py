"""The type of the `make_terminal` fixture of tests/conftest.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from device.terminal import Terminal


class MakeTerminal(Protocol):
    def __call__(self, path: Path | None = None, device_id: str | None = None) -> Terminal:
        """A Terminal on the SQLite file `path` (default: db_path), closed after the test."""
        ...
