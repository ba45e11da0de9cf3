"""Person id -> name for the live overlay: one indexed lookup per person, memoised. Qt-free."""

from __future__ import annotations

from device.queries import name_of
from device.terminal import Terminal


class NameBook:
    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self._names: dict[str, str | None] = {}

    def get(self, person_id: str | None) -> str | None:
        if person_id is None:
            return None
        if person_id not in self._names:
            self._names[person_id] = name_of(self.terminal.database.engine, person_id)
        return self._names[person_id]

    def forget(self) -> None:
        """The library changed (enrolled, renamed, removed): look names up again."""
        self._names.clear()
