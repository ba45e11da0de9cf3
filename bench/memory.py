"""RSS probe, run in a fresh subprocess per figure so nothing else inflates it.

`python -m bench.memory make DB --people 100000 --per-person 2 --engine dlib` writes a door
database whose face library holds that many people (rows written straight into the
projections, as the log would leave them; the load reads nothing else): random unit
encodings of the engine's model and dimension (dlib 128-d, mobileface 192-d), and the
`face_engine` setting naming that engine.
`python -m bench.memory probe DB --store ours --recogniser --engine dlib` first loads the
engine the door shares (device.recognition.engines.shared_engine, the instance the
Terminal then uses) and detects and encodes a face (the models and their working buffers),
then opens the database the way the door does (Terminal.open, then the library cache's
load) and prints one JSON line: RSS before and after loading, and the peak. `--store naive`
holds the same rows as a float32 matrix and id lists instead, what a numpy full scan would
hold.
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import bench  # noqa: F401  (one BLAS thread, as in the door process)

if TYPE_CHECKING:  # imported where used: the probe measures what each import costs
    import numpy as np


def rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB, from /proc/self/status."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def make(path: Path, people: int, per_person: int, engine: str = "dlib") -> None:
    import numpy as np

    from device.recognition.face_models import model_for
    from device.terminal import Terminal

    model = model_for(engine)
    terminal = Terminal.open(path, device_id="door-memory")  # the schema, at HEAD
    if terminal.settings().face_engine != engine:
        terminal.change_settings(face_engine=engine)  # an empty library: nothing re-encoded
    terminal.close()
    rng = np.random.default_rng(7)
    now = time.time()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO people (person_id, name, phone, mail, created_at, updated_at, "
            "position) VALUES (?, ?, NULL, NULL, ?, ?, 0)",
            ((f"staff-{p:06d}", f"Person {p}", now, now) for p in range(people)))
        n = people * per_person
        for lo in range(0, n, 65536):
            hi = min(n, lo + 65536)
            matrix = rng.standard_normal((hi - lo, model.dim))
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
            db.executemany(
                "INSERT INTO face_samples (sample_id, person_id, encoding, quality, added_at, "
                "position, model) VALUES (?, ?, ?, 1.0, ?, 0, ?)",
                ((f"{i:032x}", f"staff-{i // per_person:06d}",
                  matrix[i - lo].astype("<f8").tobytes(), now, model.model_id)
                 for i in range(lo, hi)))


def probe(path: Path, store: str, recogniser: bool, engine_name: str = "dlib") -> dict:
    import numpy as np

    from device.terminal import Terminal

    if recogniser:  # the models a door's recogniser holds, and their working buffers
        from device.recognition.engines import shared_engine

        engine, frame = shared_engine(engine_name), _sample_frame()
        for face in engine.detect(frame)[:1]:
            engine.encode(frame, face)
    gc.collect()
    before, _ = rss_mb()
    terminal = Terminal.open(path)
    if not recogniser:  # the library alone: the cache needs the model's id, not its files
        _without_models(terminal, engine_name)
    if terminal.settings().face_engine != engine_name:
        raise SystemExit(f"{path}: its face_engine is {terminal.settings().face_engine}, "
                         f"not {engine_name}")
    if store == "ours":
        held: object = terminal.cache.index
        terminal.cache.index.search(np.full(terminal.engine.dim, 0.05))
        samples = len(terminal.cache.index)
    else:  # a float32 matrix and the id lists: what the numpy full scan holds
        import sqlalchemy as sa

        from device.storage.db import read_transaction
        from device.storage.schema import face_samples

        with read_transaction(terminal.database.engine) as c:
            rows = c.execute(sa.select(face_samples.c.sample_id, face_samples.c.person_id,
                                       face_samples.c.encoding)).all()
        matrix = np.frombuffer(b"".join(r.encoding for r in rows), "<f8").reshape(len(rows), -1)
        held = (matrix.astype(np.float32), [r.sample_id for r in rows],
                [r.person_id for r in rows])
        samples = len(rows)
        del rows, matrix
        from device.library.cache import _return_freed_memory

        _return_freed_memory()  # as LibraryCache.load does: the baseline gets it too
    gc.collect()
    after, peak = rss_mb()
    return {"before_mb": before, "after_mb": after, "peak_mb": peak, "samples": samples,
            "held": type(held).__name__}


def _without_models(terminal: object, engine_name: str) -> None:
    """Give the terminal an engine that names its model and loads nothing (bench only)."""
    from types import SimpleNamespace

    from device.recognition.face_models import model_for

    model = model_for(engine_name)
    terminal._engine = SimpleNamespace(  # type: ignore[attr-defined]
        model_id=model.model_id, dim=model.dim)


def _sample_frame() -> np.ndarray:
    """A photo from the sample data (FACEGATE_DATA), or a blank frame without it."""
    import os

    import numpy as np

    from device.imaging import load_rgb

    faces = Path(os.environ.get("FACEGATE_DATA", "../shared/data")) / "faces"
    photos = sorted(p for p in faces.glob("*/*") if p.is_file())
    return load_rgb(photos[0]) if photos else np.zeros((480, 640, 3), np.uint8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("make")
    build.add_argument("db", type=Path)
    build.add_argument("--people", type=int, default=100_000)
    build.add_argument("--per-person", type=int, default=2)
    build.add_argument("--engine", choices=("dlib", "mobileface"), default="dlib")
    look = sub.add_parser("probe")
    look.add_argument("db", type=Path)
    look.add_argument("--store", choices=("ours", "naive"), default="ours")
    look.add_argument("--recogniser", action="store_true",
                      help="load the models the door's recogniser holds first")
    look.add_argument("--engine", choices=("dlib", "mobileface"), default="dlib",
                      help="the database's face_engine (checked), whose models are loaded")
    args = parser.parse_args(argv)
    if args.command == "make":
        make(args.db, args.people, args.per_person, args.engine)
    else:
        print(json.dumps(probe(args.db, args.store, args.recogniser, args.engine)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
