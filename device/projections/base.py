"""What a projection is: a read model kept from the log, with its position stored beside it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from device.eventlog.model import RecordedEvent


@dataclass(frozen=True)
class ProjectionContext:
    """Where rows go (`connection`) and where subject keys are read (`keys`)."""

    connection: sa.Connection
    keys: sa.Connection


class Projection(ABC):
    name: str
    tables: tuple[sa.Table, ...]

    @abstractmethod
    def apply(self, ctx: ProjectionContext, events: Sequence[RecordedEvent]) -> None:
        """Apply events (already upcast-able, in position order) to this read model."""

    def quarantined(self, ctx: ProjectionContext, event: RecordedEvent,  # noqa: B027
                    problem: str) -> None:
        """An event that failed its schema and is not applied (most projections ignore it)."""
