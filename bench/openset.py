"""Open-set 1:N identification on LFW: `python -m bench.openset [--engine dlib|mobileface]`.

On $FACEGATE_LFW (default ../shared/data/lfw-devtrain, one folder per person): the gallery
is the first photo (sorted by name) of each person with two or more photos, the genuine
probes their other photos, the strangers every photo of the people with one photo. Each
image is embedded once (cached in var/openset-<engine>.npz, keyed by path) as the photo,
its mirror image (the image flipped, then detected and encoded as enrolment does) and the
flip-averaged embedding (the mean of both, re-normalised). Reported: faces not found,
closed-set rank-1 and DIR (genuine probes named right and under the threshold) at FPIR
0.1%, 1%, 5% (the threshold that lets through that fraction of strangers), nearest person
by Euclidean distance of L2-normalised vectors (cosine order), for three set-ups: plain,
the gallery enrolled as photo + mirror (best of the two), and flip-averaged embeddings.

The impostor distribution for calibration goes to var/openset-<engine>-scores.npz: each
stranger's distance to its nearest gallery person, each genuine probe's distance to its own
person, and the sorted distances of random different-person pairs.

LFW photos hold bystanders: the labelled person is the face nearest the centre, so that is
the one used. One core: run it with OMP_NUM_THREADS=1 (bench/__init__ sets it).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from device.imaging import load_rgb
from device.recognition.engine import PHOTO_DETECT_MAX_SIDE, DetectedFace

REPO = Path(__file__).resolve().parents[1]
DEFAULT_LFW = REPO.parent / "shared" / "data" / "lfw-devtrain"
VAR = REPO / "var"
FPIRS = (0.001, 0.01, 0.05)
IMPOSTOR_PAIRS = 300_000
SAVE_EVERY = 250  # images between cache writes: an interrupted run resumes
SEED = 2024
VARIANTS = ("plain", "mirror", "flip")


class Engine(Protocol):
    def detect(self, rgb: np.ndarray, max_side: int | None = None,
               upsample: int | None = None) -> list[DetectedFace]: ...

    def locate(self, rgb: np.ndarray, box: tuple[int, int, int, int]) -> DetectedFace: ...

    def encode(self, rgb: np.ndarray, face: DetectedFace, jitters: int = 1) -> np.ndarray: ...


@dataclass(frozen=True)
class Split:
    """Which image is what: indices into `paths`."""

    paths: list[str]  # relative to the LFW folder, "Person/Person_0001.jpg"
    person: np.ndarray  # person number of each path
    gallery: np.ndarray  # one image per gallery person
    genuine: np.ndarray
    strangers: np.ndarray


@dataclass
class Embedded:
    """Per image: found, the three unit embeddings (NaN when no face), seconds taken."""

    found: np.ndarray
    vectors: dict[str, np.ndarray]
    seconds: np.ndarray


# --- the protocol ------------------------------------------------------------------------

def build_protocol(root: Path, limit: int | None) -> Split:
    """`limit`: only the first N people folders (sorted), for a quicker run."""
    people = sorted(p for p in root.iterdir() if p.is_dir())[:limit]
    paths: list[str] = []
    person: list[int] = []
    gallery: list[int] = []
    genuine: list[int] = []
    strangers: list[int] = []
    for number, folder in enumerate(people):
        photos = sorted(p.name for p in folder.iterdir() if p.is_file())
        first = len(paths)
        paths += [f"{folder.name}/{name}" for name in photos]
        person += [number] * len(photos)
        if len(photos) == 1:
            strangers.append(first)
        else:
            gallery.append(first)
            genuine += range(first + 1, first + len(photos))
    return Split(paths, np.array(person), np.array(gallery), np.array(genuine),
                      np.array(strangers))


# --- embedding ---------------------------------------------------------------------------

#: (engine, image, face, plain embedding, mirror-sample embedding) -> flip-averaged one
FlipAverage = Callable[[Any, np.ndarray, DetectedFace, np.ndarray, np.ndarray], np.ndarray]


def make_engine(name: str) -> tuple[Engine, FlipAverage]:
    """The engine, and how it makes the flip-averaged embedding of a face: MobileFaceNet
    averages the aligned face and its horizontal flip in one batch; dlib (whose alignment
    is its own) averages the photo's and the mirror sample's encodings."""
    if name == "mobileface":
        from device.recognition.mobileface import YuNetMobileFaceNet, align

        def flip_mobile(engine: Any, rgb: np.ndarray, face: DetectedFace,
                        plain: np.ndarray, mirror: np.ndarray) -> np.ndarray:
            assert face.points5 is not None
            return np.asarray(engine.embed(align(rgb, face.points5), flip_average=True))

        return YuNetMobileFaceNet(flip_average=False), flip_mobile
    from device.recognition.engine import FaceEngine

    def flip_dlib(engine: Any, rgb: np.ndarray, face: DetectedFace,
                  plain: np.ndarray, mirror: np.ndarray) -> np.ndarray:
        return _unit(plain + mirror)

    return FaceEngine(), flip_dlib


def centre_face(faces: list[DetectedFace], shape: tuple[int, ...]) -> DetectedFace | None:
    """The face whose box centre is nearest the image centre (LFW's labelled person)."""
    if not faces:
        return None
    cy, cx = shape[0] / 2, shape[1] / 2

    def off_centre(face: DetectedFace) -> float:
        top, right, bottom, left = face.box
        return float(np.hypot((top + bottom) / 2 - cy, (left + right) / 2 - cx))

    return min(faces, key=off_centre)


def _mirror_embedding(engine: Engine, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
    """As enrolment's mirror sample: the flipped image, the flipped box located, encoded."""
    flipped = np.ascontiguousarray(rgb[:, ::-1])
    width = rgb.shape[1]
    top, right, bottom, left = face.box
    mirrored = engine.locate(flipped, (top, width - left, bottom, width - right))
    return _unit(engine.encode(flipped, mirrored))


def embed_all(engine_name: str, root: Path, paths: list[str], cache: Path,
              log: Callable[[str], None]) -> Embedded:
    """Every image's embeddings, from the cache when it has them."""
    known = _load_cache(cache)
    missing = [p for p in paths if p not in known]
    if missing:
        engine, flip = make_engine(engine_name)
        started = time.perf_counter()
        for done, path in enumerate(missing, 1):
            known[path] = _embed_one(engine, flip, load_rgb(root / path))
            if done % SAVE_EVERY == 0 or done == len(missing):
                _save_cache(cache, known)
                rate = (time.perf_counter() - started) / done
                log(f"  {done:,}/{len(missing):,} images embedded, {rate * 1000:.0f} ms each, "
                    f"about {rate * (len(missing) - done) / 60:.0f} min left")
    rows = [known[p] for p in paths]
    return Embedded(np.array([r["found"] for r in rows], dtype=bool),
                    {v: np.array([r[v] for r in rows]) for v in VARIANTS},
                    np.array([r["seconds"] for r in rows]))


def _embed_one(engine: Engine, flip: FlipAverage, rgb: np.ndarray) -> dict[str, Any]:
    """One image: detection and the three embeddings, each timed (seconds: detect, plain,
    mirror, flip)."""
    t0 = time.perf_counter()
    face = centre_face(engine.detect(rgb, max_side=PHOTO_DETECT_MAX_SIDE), rgb.shape)
    t1 = time.perf_counter()
    if face is None:
        nan = np.full(_dim(engine), np.nan)
        return {"found": False, "plain": nan, "mirror": nan, "flip": nan,
                "seconds": np.array([t1 - t0, np.nan, np.nan, np.nan])}
    plain = _unit(engine.encode(rgb, face))
    t2 = time.perf_counter()
    mirror = _mirror_embedding(engine, rgb, face)
    t3 = time.perf_counter()
    flipped = flip(engine, rgb, face, plain, mirror)
    t4 = time.perf_counter()
    return {"found": True, "plain": plain, "mirror": mirror, "flip": flipped,
            "seconds": np.array([t1 - t0, t2 - t1, t3 - t2, t4 - t3])}


def _dim(engine: Engine) -> int:
    return int(getattr(engine, "dim", 128))


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float64)
    return vector / np.linalg.norm(vector)


def _load_cache(cache: Path) -> dict[str, dict[str, Any]]:
    if not cache.is_file():
        return {}
    with np.load(cache) as data:  # each data[key] reads the file again: read each once
        arrays = {key: data[key] for key in ("paths", "found", "seconds", *VARIANTS)}
    return {str(path): {"found": bool(arrays["found"][i]),
                        **{v: arrays[v][i] for v in VARIANTS},
                        "seconds": arrays["seconds"][i]}
            for i, path in enumerate(arrays["paths"])}


def _save_cache(cache: Path, known: dict[str, dict[str, Any]]) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    paths = sorted(known)
    temporary = cache.with_suffix(".tmp.npz")
    arrays: dict[str, Any] = {v: np.array([known[p][v] for p in paths]) for v in VARIANTS}
    np.savez(temporary, paths=np.array(paths),
             found=np.array([known[p]["found"] for p in paths]),
             seconds=np.array([known[p]["seconds"] for p in paths]), **arrays)
    temporary.replace(cache)


# --- scoring -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Scores:
    """Per probe: the nearest gallery person and the distance to it (inf: no face)."""

    genuine_nearest: np.ndarray
    genuine_distance: np.ndarray
    genuine_own: np.ndarray  # distance to the probe's own person (inf: not comparable)
    stranger_distance: np.ndarray


def score(protocol: Split, emb: Embedded, probe_variant: str,
          gallery_variants: tuple[str, ...]) -> Scores:
    """Nearest-person search: a person's distance is the best over their gallery samples."""
    gallery_person = protocol.person[protocol.gallery]
    samples = np.stack([emb.vectors[v][protocol.gallery] for v in gallery_variants])
    probes = emb.vectors[probe_variant]

    def nearest(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        query = probes[indices]
        # |a - b|^2 = 2 - 2 a.b on unit vectors; NaN (no face) rows become inf.
        distance = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * np.einsum("qd,sgd->sqg", query,
                                                                   samples))).min(axis=0)
        distance = np.where(np.isnan(distance), np.inf, distance)
        best = distance.argmin(axis=1)
        return gallery_person[best], distance[np.arange(len(indices)), best], distance

    g_person, g_distance, g_all = nearest(protocol.genuine)
    own_column = np.searchsorted(gallery_person, protocol.person[protocol.genuine])
    own = g_all[np.arange(len(protocol.genuine)), own_column]
    _, s_distance, _ = nearest(protocol.strangers)
    no_probe_face = ~emb.found[protocol.genuine]
    g_distance = np.where(no_probe_face, np.inf, g_distance)
    return Scores(np.where(no_probe_face, -1, g_person), g_distance, own, s_distance)


def figures(protocol: Split, scores: Scores) -> dict[str, float]:
    """Rank-1 and DIR at each FPIR; every genuine probe and stranger counts (no face: a
    genuine probe missed, a stranger rejected)."""
    right = scores.genuine_nearest == protocol.person[protocol.genuine]
    out = {"rank1": float(right.mean())}
    strangers = np.sort(scores.stranger_distance)
    for fpir in FPIRS:
        allowed = int(np.floor(fpir * len(strangers)))  # strangers let through at most
        threshold = strangers[allowed] if allowed < len(strangers) else np.inf
        out[f"threshold@{fpir:g}"] = float(threshold)
        out[f"dir@{fpir:g}"] = float((right & (scores.genuine_distance < threshold)).mean())
    return out


def impostor_pairs(protocol: Split, emb: Embedded, count: int) -> np.ndarray:
    """Sorted distances of `count` random pairs of images of different people (faces found)."""
    rng = np.random.default_rng(SEED)
    usable = np.flatnonzero(emb.found)
    vectors, person = emb.vectors["plain"][usable], protocol.person[usable]
    a = rng.integers(0, len(usable), size=count * 2)
    b = rng.integers(0, len(usable), size=count * 2)
    keep = person[a] != person[b]
    a, b = a[keep][:count], b[keep][:count]
    cosine = np.einsum("nd,nd->n", vectors[a], vectors[b])
    return np.sort(np.sqrt(np.maximum(0.0, 2.0 - 2.0 * cosine)))


# --- report ------------------------------------------------------------------------------

SETUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "plain": ("plain", ("plain",)),
    "gallery photo + mirror": ("plain", ("plain", "mirror")),
    "flip-averaged": ("flip", ("flip",)),
}


def run(engine_name: str, root: Path, limit: int | None,
        log: Callable[[str], None] = print) -> dict[str, Any]:
    cv2.setNumThreads(1)
    protocol = build_protocol(root, limit)
    suffix = engine_name if limit is None else f"{engine_name}-limit{limit}"
    log(f"{engine_name}: {len(protocol.gallery):,} gallery people, "
        f"{len(protocol.genuine):,} genuine probes, {len(protocol.strangers):,} strangers "
        f"({len(protocol.paths):,} images)")
    emb = embed_all(engine_name, root, protocol.paths, VAR / f"openset-{engine_name}.npz", log)
    results: dict[str, Any] = {
        "engine": engine_name, "images": len(protocol.paths),
        "gallery": len(protocol.gallery), "genuine": len(protocol.genuine),
        "strangers": len(protocol.strangers), "no_face": int((~emb.found).sum()),
        "no_face_gallery": int((~emb.found[protocol.gallery]).sum()),
        "ms_per_image": _timings(emb), "setups": {}}
    dumps: dict[str, Any] = {}
    for setup, (probe_variant, gallery_variants) in SETUPS.items():
        scores = score(protocol, emb, probe_variant, gallery_variants)
        results["setups"][setup] = figures(protocol, scores)
        key = setup.replace(" + ", "_").replace(" ", "_").replace("-", "_")
        dumps[f"stranger_nearest_{key}"] = scores.stranger_distance
        dumps[f"genuine_own_{key}"] = scores.genuine_own
    dumps["impostor_pairs"] = impostor_pairs(protocol, emb, IMPOSTOR_PAIRS)
    np.savez(VAR / f"openset-{suffix}-scores.npz", **dumps)
    (VAR / f"openset-{suffix}.json").write_text(json.dumps(results, indent=2))
    log(report(results))
    return results


def _timings(emb: Embedded) -> dict[str, float]:
    """Mean milliseconds per image of each step, over the images with a face."""
    seconds = emb.seconds[emb.found]
    steps = ("detect", "encode", "mirror sample", "flip-averaged encode")
    return {step: float(np.mean(seconds[:, i]) * 1000) for i, step in enumerate(steps)}


def report(results: dict[str, Any]) -> str:
    lines = [f"{results['engine']}: no face in {results['no_face']:,} of "
             f"{results['images']:,} images ({results['no_face_gallery']} gallery photos); "
             "ms per image: " + ", ".join(f"{k} {v:.1f}"
                                          for k, v in results["ms_per_image"].items()),
             f"{'set-up':<24} {'rank-1':>7} " + " ".join(f"{'DIR@' + format(f, '.1%'):>11}"
                                                        for f in FPIRS)]
    for setup, figs in results["setups"].items():
        lines.append(f"{setup:<24} {figs['rank1']:>7.3f} " + " ".join(
            f"{figs[f'dir@{f:g}']:>6.3f} <{figs[f'threshold@{f:g}']:.2f}" for f in FPIRS))
    return "\n".join(lines)


def bench(ctx: Any) -> list[Any]:
    """`python -m bench --only openset`: DIR at FPIR 0.1% and 1% per engine, the new engine
    next to dlib's in the same run (embeddings cached in var/: a rerun takes seconds)."""
    from bench.report import Figure

    root = Path(os.environ.get("FACEGATE_LFW", DEFAULT_LFW))
    if not root.is_dir():
        ctx.log(f"openset: {root} not found (FACEGATE_LFW); skipped")
        return []
    limit = 300 if ctx.quick else None
    results = {name: run(name, root, limit, ctx.log) for name in ("dlib", "mobileface")}
    ctx.extra["openset"] = results
    figures = []
    for fpir in (0.001, 0.01):
        base = results["dlib"]["setups"]["flip-averaged"][f"dir@{fpir:g}"]
        ours = results["mobileface"]["setups"]["flip-averaged"][f"dir@{fpir:g}"]
        figures.append(Figure(f"openset LFW ({results['mobileface']['gallery']:,} people)",
                              f"DIR @ FPIR {fpir:.1%}", ours, "fraction",
                              "dlib engine, same protocol and run", base, better="higher",
                              note="flip-averaged embeddings, nearest person"))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.openset",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["dlib", "mobileface"], default="mobileface")
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first N people folders (sorted by name)")
    parser.add_argument("--lfw", type=Path,
                        default=Path(os.environ.get("FACEGATE_LFW", DEFAULT_LFW)))
    args = parser.parse_args(argv)
    if not args.lfw.is_dir():
        print(f"LFW not found at {args.lfw}; set FACEGATE_LFW")
        return 2
    run(args.engine, args.lfw, args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
