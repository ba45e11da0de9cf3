"""Person id -> name for the live overlay: one indexed lookup per person, memoised. Qt-free."""

from __future__ import annotations

import sqlalchemy as sa

from device.storage.db import read_transaction
from device.storage.schema import people
from device.terminal import Terminal


class NameBook:
    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self._names: dict[str, str | None] = {}

    def get(self, person_id: str | None) -> str | None:
        if person_id is None:
            return None
        if person_id not in self._names:
            with read_transaction(self.terminal.database.engine) as c:
                self._names[person_id] = c.execute(
                    sa.select(people.c.name).where(people.c.person_id == person_id)).scalar()
        return self._names[person_id]

    def forget(self) -> None:
        """The library changed (enrolled, renamed, removed): look names up again."""
        self._names.clear()
