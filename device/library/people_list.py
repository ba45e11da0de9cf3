"""The people list every adapter shows: staff id, name, samples of the model in use and
the weakest sample's enrolment gate scores (Terminal.people, device.queries.find_people)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from device.recognition.face_models import model_for
from device.settings import load_settings
from device.storage.db import read_transaction
from device.storage.schema import face_samples, people


@dataclass(frozen=True)
class PersonSummary:
    person_id: str
    name: str
    phone: str | None
    mail: str | None
    samples: int  # of the face model in use
    updated_at: float
    quality: float | None = None  # the weakest of those samples' sharpness
    gates: dict[str, float] | None = None  # that sample's enrolment gate scores


def list_people(engine: sa.Engine, text: str = "", limit: int | None = 200
                ) -> tuple[list[PersonSummary], int, int]:
    """(the people shown, how many match, how many are enrolled): people whose staff id or
    name contains `text` (case-insensitive), by staff id, `limit` at most. Samples are
    counted for the face model in use, with the weakest one's gate scores."""
    text = text.strip()
    where: sa.ColumnElement[bool] = sa.true()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = sa.or_(people.c.person_id.ilike(pattern, escape="\\"),
                       people.c.name.ilike(pattern, escape="\\"))
    with read_transaction(engine) as c:
        model = model_for(load_settings(c).face_engine).model_id
        mine = sa.and_(face_samples.c.person_id == people.c.person_id,
                       face_samples.c.model == model)
        samples = sa.select(sa.func.count()).select_from(face_samples).where(mine)
        weakest = sa.select(sa.func.min(face_samples.c.quality)).where(mine)
        rows = c.execute(sa.select(people, samples.scalar_subquery().label("samples"),
                                   weakest.scalar_subquery().label("quality"))
                         .where(where).order_by(people.c.person_id).limit(limit)).all()
        gates = _weakest_gates(c, model, [r.person_id for r in rows])
        matching = c.execute(sa.select(sa.func.count()).select_from(people)
                             .where(where)).scalar() or 0
        total = matching if not text else (
            c.execute(sa.select(sa.func.count()).select_from(people)).scalar() or 0)
    return ([PersonSummary(r.person_id, r.name, r.phone, r.mail, r.samples, r.updated_at,
                           r.quality, gates.get(r.person_id)) for r in rows], matching, total)


def _weakest_gates(c: sa.Connection, model: str,
                   person_ids: list[str]) -> dict[str, dict[str, float]]:
    """Each person's lowest-quality sample's gate scores (samples enrolled before gates
    were recorded have none)."""
    out: dict[str, tuple[float, dict[str, float]]] = {}
    for chunk in range(0, len(person_ids), 500):
        rows = c.execute(sa.select(face_samples.c.person_id, face_samples.c.quality,
                                   face_samples.c.gates).where(
            face_samples.c.person_id.in_(person_ids[chunk:chunk + 500]),
            face_samples.c.model == model, face_samples.c.gates.is_not(None)))
        for r in rows:
            if r.person_id not in out or r.quality < out[r.person_id][0]:
                out[r.person_id] = (r.quality, json.loads(r.gates))
    return {person: gates for person, (_, gates) in out.items()}
