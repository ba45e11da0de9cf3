"""`calibrate`: a site's own photos measured, and a security level proposed from them.

The folder holds one subfolder per person (two or more photos each, as for `import`).
Every photo is embedded once; genuine distances are the best-sample distances between a
person's photos, impostor distances those between different people. For each level the
threshold the model's calibration table gives at the planned library size is shown next
to what this site's photos do at it: genuine photos accepted and the per-person false
match rate seen here. The strictest level that still accepts GENUINE_TARGET of the
genuine pairs is proposed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from device.errors import BadInput
from device.imaging import load_rgb
from device.library.bulk_import import IMAGE_SUFFIXES
from device.recognition.calibration import expected_fpir, table_for, threshold_for
from device.recognition.engine import PHOTO_DETECT_MAX_SIDE
from device.recognition.engines import Engine

LEVELS = (100, 1_000, 10_000, 100_000)
GENUINE_TARGET = 0.95
MIN_PEOPLE_WITH_PAIRS = 2


@dataclass
class SiteMeasure:
    genuine: np.ndarray  # distances between photos of the same person
    impostor: np.ndarray  # distances between photos of different people
    people: int
    photos: int
    no_face: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LevelRow:
    level: int
    threshold: float
    genuine_accepted: float  # of this site's genuine pairs
    site_fmr: float | None  # per-pair false match rate on this site's photos
    expected_fpir: float  # from the model's table at this library size


@dataclass(frozen=True)
class Proposal:
    model_id: str
    people: int
    rows: list[LevelRow]
    level: int | None
    measure: SiteMeasure

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model_id, "people": self.people, "proposed_level": self.level,
                "photos": self.measure.photos, "persons_measured": self.measure.people,
                "genuine_pairs": int(self.measure.genuine.size),
                "impostor_pairs": int(self.measure.impostor.size),
                "no_face": self.measure.no_face,
                "levels": [{"level": r.level, "threshold": round(r.threshold, 4),
                            "genuine_accepted": round(r.genuine_accepted, 4),
                            "site_fmr": None if r.site_fmr is None else round(r.site_fmr, 6),
                            "expected_fpir": round(r.expected_fpir, 6)} for r in self.rows]}

    def text(self) -> str:
        m = self.measure
        lines = [f"{m.photos} photos of {m.people} people ({m.genuine.size} genuine pairs, "
                 f"{m.impostor.size} impostor pairs); model {self.model_id}; planning for "
                 f"{self.people} people",
                 "level (1 stranger in)  threshold  genuine accepted  site FMR  expected FPIR"]
        for r in self.rows:
            fmr = "-" if r.site_fmr is None else f"{r.site_fmr:.5f}"
            lines.append(f"{r.level:>20,}  {r.threshold:9.4f}  {r.genuine_accepted:16.3f}  "
                         f"{fmr:>8}  {r.expected_fpir:13.5f}")
        lines.extend(f"no face found: {p}" for p in m.no_face)
        lines.append(f"proposed: security_level={self.level}" if self.level else
                     f"no level accepts {GENUINE_TARGET:.0%} of this site's genuine pairs: "
                     "check the photos (lighting, pose) before raising the threshold")
        return "\n".join(lines)


def measure_site(engine: Engine, folder: Path) -> SiteMeasure:
    if not folder.is_dir():
        raise BadInput(f"{folder}: not a folder")
    embeddings: dict[str, list[np.ndarray]] = {}
    no_face: list[str] = []
    photos = 0
    for person in sorted(p for p in folder.iterdir() if p.is_dir()):
        for photo in sorted(p for p in person.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
            photos += 1
            rgb = load_rgb(photo)
            faces = engine.detect(rgb, max_side=PHOTO_DETECT_MAX_SIDE)
            if not faces:
                no_face.append(str(photo))
                continue
            embeddings.setdefault(person.name, []).append(engine.encode(rgb, faces[0]))
    paired = [p for p, e in embeddings.items() if len(e) >= 2]
    if len(paired) < MIN_PEOPLE_WITH_PAIRS:
        raise BadInput(f"{folder}: need at least {MIN_PEOPLE_WITH_PAIRS} people with two or "
                       "more photos each (one subfolder per person)")
    genuine = [float(np.linalg.norm(a - b)) for p in paired
               for a, b in itertools.combinations(embeddings[p], 2)]
    impostor = [float(np.linalg.norm(a - b)) for p, q in itertools.combinations(embeddings, 2)
                for a in embeddings[p] for b in embeddings[q]]
    return SiteMeasure(np.sort(genuine), np.sort(impostor), len(embeddings), photos, no_face)


def propose(site: SiteMeasure, model_id: str, people: int) -> Proposal:
    table = table_for(model_id)
    rows = []
    for level in LEVELS:
        t = threshold_for(table, level, people)
        accepted = float(np.searchsorted(site.genuine, t, side="right") / site.genuine.size)
        fmr = (float(np.searchsorted(site.impostor, t, side="right") / site.impostor.size)
               if site.impostor.size else None)
        rows.append(LevelRow(level, t, accepted, fmr, expected_fpir(table, t, people)))
    good = [r.level for r in rows if r.genuine_accepted >= GENUINE_TARGET]
    return Proposal(model_id, people, rows, max(good) if good else None, site)
