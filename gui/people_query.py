"""One page of the people list, searched in SQL. Qt-free (belongs in device/terminal.py).

`Terminal.people()` reads everybody with their sample counts; with 10,000 people that is a
quarter of a second per keystroke in the search field. This reads only the rows shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from device.storage.db import read_transaction
from device.storage.schema import face_samples, people
from device.terminal import PersonSummary


@dataclass(frozen=True)
class PeoplePage:
    people: list[PersonSummary]
    matching: int  # how many match the search (the page may hold fewer)
    total: int  # everybody enrolled


def find_people(engine: sa.Engine, text: str = "", limit: int = 200) -> PeoplePage:
    """People whose staff id or name contains `text` (case-insensitive), by staff id."""
    text = text.strip()
    where = sa.true()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = sa.or_(people.c.person_id.ilike(pattern, escape="\\"),
                       people.c.name.ilike(pattern, escape="\\"))
    samples = (sa.select(sa.func.count()).select_from(face_samples)
               .where(face_samples.c.person_id == people.c.person_id).scalar_subquery())
    with read_transaction(engine) as c:
        rows = c.execute(sa.select(people, samples.label("samples")).where(where)
                         .order_by(people.c.person_id).limit(limit)).all()
        matching = c.execute(sa.select(sa.func.count()).select_from(people)
                             .where(where)).scalar() or 0
        total = matching if not text else (
            c.execute(sa.select(sa.func.count()).select_from(people)).scalar() or 0)
    return PeoplePage([PersonSummary(r.person_id, r.name, r.phone, r.mail, r.samples,
                                     r.updated_at) for r in rows], matching, total)
