"""Write a model's calibration table (device/recognition/weights/calibration-<model>.json).

    python scripts/make_calibration.py --engine mobileface [--query plain|flip]

From the embedding cache of `python -m bench.openset --engine NAME` (var/openset-NAME.npz,
LFW devtrain): per-person false match rate against distance, measured on impostor pairs
that leave the protocol's strangers out (each genuine probe against every gallery person
but its own; a person's distance is the best of its samples: the photo and its mirror
sample, as a door enrols), so the strangers stay an independent check of the FPIR the
table predicts (bench/openset.py, docs/thresholds.md). Internal evaluation data: only the
table (distances and rates) goes into the repository, never a photo or an embedding.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.openset import DEFAULT_LFW, VAR, build_protocol  # noqa: E402
from device.recognition.calibration import CALIBRATION_DIR  # noqa: E402
from device.recognition.face_models import MODEL_OF_ENGINE, EngineName  # noqa: E402

#: Table points: false match rates from the smallest the pairs resolve up to this.
MAX_FMR = 0.5
POINTS_PER_DECADE = 8
#: The margin is given in dlib's units; this FMR fixes the ratio of the two scales.
SCALE_AT_FMR = 1e-3


def embed_door_path(engine_name: str, limit: int | None) -> Path:
    """Embeddings exactly as the door makes them (the product engine's `encode`, no
    normalising of our own: dlib's encodings are not unit vectors), as var/calib-NAME.npz
    with the variants "door" (a photo or a probe) and "mirror" (the mirror sample)."""
    from bench.openset import _mirror_embedding, centre_face
    from device.imaging import load_rgb
    from device.recognition.engine import PHOTO_DETECT_MAX_SIDE
    from device.recognition.engines import create_engine

    engine = create_engine(engine_name)
    protocol = build_protocol(DEFAULT_LFW, limit)
    n, dim = len(protocol.paths), engine.dim
    found = np.zeros(n, dtype=bool)
    door = np.full((n, dim), np.nan)
    mirror = np.full((n, dim), np.nan)
    for i, path in enumerate(protocol.paths):
        rgb = load_rgb(DEFAULT_LFW / path)
        face = centre_face(engine.detect(rgb, max_side=PHOTO_DETECT_MAX_SIDE), rgb.shape)
        if face is None:
            continue
        found[i] = True
        door[i] = engine.encode(rgb, face)
        mirror[i] = _raw_mirror(engine, rgb, face, _mirror_embedding)
        if (i + 1) % 500 == 0:
            print(f"  {i + 1:,}/{n:,} images", flush=True)
    out = VAR / f"calib-{engine_name}.npz"
    np.savez(out, paths=np.array(protocol.paths), found=found, door=door, mirror=mirror)
    return out


def _raw_mirror(engine: Any, rgb: np.ndarray, face: Any, _unused: Any) -> np.ndarray:
    flipped = np.ascontiguousarray(rgb[:, ::-1])
    width = rgb.shape[1]
    top, right, bottom, left = face.box
    located = engine.locate(flipped, (top, width - left, bottom, width - right))
    return np.asarray(engine.encode(flipped, located), dtype=np.float64)


def impostor_distances(engine: str, query: str, gallery_variants: list[str],
                       limit: int | None, cache_name: str) -> np.ndarray:
    cache = np.load(VAR / cache_name, allow_pickle=False)
    where = {str(p): i for i, p in enumerate(cache["paths"])}
    protocol = build_protocol(DEFAULT_LFW, limit)
    rows = [where.get(p, -1) for p in protocol.paths]
    missing = sum(r < 0 for r in rows)
    if missing:
        raise SystemExit(f"{missing} images are not in the cache yet: run bench.openset first")
    found = cache["found"][rows]
    queries = cache[query][rows]
    gallery = [g for g in protocol.gallery if found[g]]
    samples = [cache[v][rows][gallery] for v in gallery_variants]
    g_person = protocol.person[gallery]
    probes = [p for p in protocol.genuine if found[p]]
    out = []
    for start in range(0, len(probes), 256):
        chunk = probes[start:start + 256]
        q = queries[chunk]
        d = np.min([_distances(q, g) for g in samples], axis=0)
        own = protocol.person[chunk][:, None] == g_person[None, :]
        out.append(d[~own])
    return np.sort(np.concatenate(out))


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))


def table_points(distances: np.ndarray) -> list[list[float]]:
    n = distances.size
    low = math.log10(10 / n)  # ten pairs at least under the smallest point
    rates = np.logspace(low, math.log10(MAX_FMR),
                        int((math.log10(MAX_FMR) - low) * POINTS_PER_DECADE) + 1)
    points: list[list[float]] = []
    for rate in rates:
        k = max(1, math.ceil(rate * n))
        d = float(distances[k - 1])
        if points and d <= points[-1][0]:
            continue
        points.append([round(d, 6), float(f"{k / n:.6g}")])
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=[e.value for e in EngineName], required=True)
    parser.add_argument("--query", choices=("plain", "flip", "door"), default="door",
                        help="the embedding a door computes for a probe")
    parser.add_argument("--gallery", default="door,mirror",
                        help="the samples a door enrols per photo (comma-separated)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--embed", action="store_true",
                        help="embed LFW through the door's own path first (var/calib-NAME.npz)"
                        "; without it, read bench.openset's cache")
    args = parser.parse_args()
    cache_name = f"openset-{args.engine}.npz"
    if args.embed:
        cache_name = embed_door_path(args.engine, args.limit).name
    model = MODEL_OF_ENGINE[EngineName(args.engine)]
    gallery = args.gallery.split(",")
    distances = impostor_distances(args.engine, args.query, gallery, args.limit, cache_name)
    doc: dict[str, Any] = {"model": model.model_id,
           "source": f"LFW devtrain, {distances.size:,} impostor pairs (genuine probes x "
                     f"other gallery people; gallery samples {args.gallery}, query "
                     f"{args.query}), scripts/make_calibration.py",
           "points": table_points(distances)}
    dlib = CALIBRATION_DIR / "calibration-dlib-resnet-v1.json"
    if model.engine is not EngineName.DLIB and dlib.is_file():
        ours = np.array(doc["points"])
        theirs = np.array(json.loads(dlib.read_text())["points"])
        at = math.log(SCALE_AT_FMR)
        doc["distance_scale"] = round(float(
            np.interp(at, np.log(ours[:, 1]), ours[:, 0])
            / np.interp(at, np.log(theirs[:, 1]), theirs[:, 0])), 4)
    path = CALIBRATION_DIR / f"calibration-{model.model_id}.json"
    path.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{path}: {len(doc['points'])} points from {distances.size:,} pairs")


if __name__ == "__main__":
    main()
