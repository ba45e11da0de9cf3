"""Frame to decision (issue 3 item 3, issue 14 item 5): three pipelines side by side.

Baseline: the plain face_recognition pipeline (HOG upsampled once on the full frame,
encodings of every face, then a per-sample loop of face_distance, seed 004's style, at
0.55). Ours, twice: the door's path, `FramePipeline` (device/recognition/pipeline.py) with
a Terminal's engine and the door's match rule (threshold from the security level for that
model and library size, margin), liveness off (bench/liveness.py measures it), the track
reset before each frame so every frame is detected, encoded and decided on its own:

- dlib: HOG on a 320-px copy (480 px when that finds nothing), the numpy ResNet, 128-d;
- mobileface (the default engine): YuNet on a 320-px copy (640 px when that finds
  nothing), 5-point alignment, MobileFaceNet 192-d averaged with the mirror image.

OpenCV's own threads are held to one (`one_opencv_thread`), as BLAS is: without that,
cv2.dnn runs MobileFaceNet on both cores. The three run frame by frame in turn, so
whatever else the machine does slows them alike.
The door's threshold tightens as the library grows (issue 14: a security level, not a
distance) while the baseline keeps 0.55, so with thousands of people the door names fewer
faces than the baseline; the agreement figures count those and say how many had the
baseline's person nearest (refused by the rule, not missed by the engine).
Frames: the sample clip (640x360) and every photo of ../shared/data letterboxed to 640x480.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from bench.report import Context, Figure
from device.imaging import load_rgb
from device.recognition.decision import DEFAULT_THRESHOLD, Match
from device.recognition.pipeline import FramePipeline
from device.terminal import Terminal


def _letterbox(rgb: np.ndarray, width: int = 640, height: int = 480) -> np.ndarray:
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    small = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA)
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    canvas[top:top + small.shape[0], left:left + small.shape[1]] = small
    return canvas


def frames(data: Path, step: int) -> list[tuple[str, np.ndarray]]:
    out = []
    capture = cv2.VideoCapture(str(data / "video" / "short_hamilton_clip.mp4"))
    index = 0
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        if index % step == 0:
            out.append((f"video#{index}", cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
        index += 1
    capture.release()
    for path in sorted((data / "faces").glob("*/*")) + sorted((data / "groups").glob("*")):
        out.append((str(path.relative_to(data)), _letterbox(load_rgb(path))))
    return out


def run(ctx: Context) -> list[Figure]:
    figures = []
    with one_opencv_thread(ctx):
        for extra_people in (0, 1_000 if ctx.quick else 10_000):
            figures += _run(ctx, extra_people)
    return figures


@contextlib.contextmanager
def one_opencv_thread(ctx: Context) -> Iterator[None]:
    """OpenCV's own thread pool (YuNet, MobileFaceNet in cv2.dnn) held to one thread, like
    BLAS: on the door the other core belongs to the camera. FACEGATE_BENCH_CV_THREADS
    overrides it (e.g. 0: OpenCV's default, every core)."""
    threads = int(os.environ.get("FACEGATE_BENCH_CV_THREADS", "1"))
    before = cv2.getNumThreads()
    cv2.setNumThreads(threads)
    ctx.extra["opencv_threads"] = cv2.getNumThreads()
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def _synthetic(n: int, rng: np.random.Generator) -> np.ndarray:
    vectors = rng.standard_normal((n, 128))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True) * 0.6


def _synthetic_192(people: int, seed: int) -> np.ndarray:
    """Unit 192-d vectors shaped like MobileFaceNet's embeddings of different people
    (bench/search.py's 192-d profile): one each, as that engine stores one per photo."""
    from bench.search import MOBILEFACE_DIM, Library

    lib = Library(5 * people, seed, MOBILEFACE_DIM)  # 3-5 samples a person: >= people
    return lib.centres[:people]


@dataclass
class _Door:
    """A door database with the sample people enrolled by one engine, and its pipeline."""

    engine_name: str
    terminal: Terminal
    pipeline: FramePipeline
    samples: int
    threshold: float

    def decide(self, rgb: np.ndarray, t: float) -> Match | None:
        """The door candidate's match, a frame on its own (no track carried over)."""
        self.pipeline.track = None
        result = self.pipeline.process(rgb, t)
        return result.faces[0].match if result.faces else None


def _door(ctx: Context, folder: Path, engine_name: str, extra_people: int) -> _Door:
    terminal = Terminal.open(folder / f"door-{engine_name}.sqlite",
                             device_id=f"door-frame-{engine_name}")
    if terminal.settings().face_engine != engine_name:
        terminal.change_settings(face_engine=engine_name)  # an empty library
    terminal.import_folder(ctx.data / "faces")
    cache = terminal.current_cache()
    if extra_people:
        if engine_name == "dlib":  # two samples each, like a photo and its mirror
            vectors = _synthetic(2 * extra_people, np.random.default_rng(ctx.seed))
            ids = [f"synthetic-{i // 2:05d}" for i in range(len(vectors))]
        else:
            vectors = _synthetic_192(extra_people, ctx.seed)
            ids = [f"synthetic-{i:05d}" for i in range(len(vectors))]
        cache.index.add_matrix([f"s{i}" for i in range(len(vectors))], ids, vectors)
    s = terminal.settings()
    rule = terminal.match_rule(s)  # the door's: this model, this library size
    pipeline = FramePipeline(terminal.engine, lambda: cache.index, rule.threshold,
                             rule.margin, s.recheck_seconds, liveness=None)
    return _Door(engine_name, terminal, pipeline, len(cache.index), rule.threshold)


def _compare(match: Match | None, base_people: list[str | None], base_door: str | None,
             counts: dict[str, int], frame: str = "", others: list[str] | None = None) -> None:
    ours = match.person_id if match is not None and match.known else None
    if ours is None and base_door is not None and match is not None \
            and match.nearest is not None and match.nearest.person_id == base_door:
        counts["lost_nearest_right"] += 1  # the right person nearest, refused by the rule
    if ours is not None and ours not in base_people:
        counts["wrong"] += 1  # named someone the baseline saw nowhere in the frame
        if others is not None:
            others.append(f"{frame}: {ours}")
    elif ours is not None and ours == base_door:
        counts["same"] += 1
    elif ours is not None:
        counts["other_face"] += 1  # another face of the frame the baseline also recognised
    elif base_door is not None:
        counts["lost"] += 1


def _run(ctx: Context, extra_people: int) -> list[Figure]:
    """The plain pipeline, the dlib door path and the mobileface door path, frame by
    frame in turn (the same disturbance for all three)."""
    import face_recognition as fr

    with tempfile.TemporaryDirectory() as tmp:
        doors = {name: _door(ctx, Path(tmp), name, extra_people)
                 for name in ("dlib", "mobileface")}
        dlib = doors["dlib"]
        samples = [(pid, np.frombuffer(blob, "<f8")) for pid, blob in _samples(dlib.terminal)]
        if extra_people:  # the baseline's loop holds the dlib door's synthetic samples too
            vectors = _synthetic(2 * extra_people, np.random.default_rng(ctx.seed))
            samples += list(zip([f"synthetic-{i // 2:05d}" for i in range(len(vectors))],
                                vectors, strict=True))
        test_frames = frames(ctx.data, 9 if ctx.quick else 3)
        base_ms: list[float] = []
        door_ms: dict[str, list[float]] = {name: [] for name in doors}
        counts = {name: dict.fromkeys(("same", "lost", "other_face", "wrong",
                                        "lost_nearest_right"), 0)
                  for name in doors}
        unnamed: dict[str, list[str]] = {name: [] for name in doors}  # who, where
        for t, (frame_name, rgb) in enumerate(test_frames):
            for door in doors.values():  # warm: the first frame pays for lazy set-up
                if t == 0:
                    door.decide(rgb, -1.0)
            started = time.perf_counter()
            locations = fr.face_locations(rgb, 1, "hog")
            encodings = fr.face_encodings(rgb, locations)
            base_people = []
            for encoding in encodings:  # seed 004: one face_distance call per sample
                best = min(((float(fr.face_distance([s], encoding)[0]), pid)
                            for pid, s in samples), default=(9.0, None))
                base_people.append(best[1] if best[0] <= DEFAULT_THRESHOLD else None)
            base_ms.append(1000 * (time.perf_counter() - started))
            areas = [(b - t_) * (r - le) for t_, r, b, le in locations]
            base_door = base_people[int(np.argmax(areas))] if areas else None
            for name, door in doors.items():
                started = time.perf_counter()
                ours = door.decide(rgb, float(t))
                door_ms[name].append(1000 * (time.perf_counter() - started))
                _compare(ours, base_people, base_door, counts[name], frame_name, unnamed[name])
        for door in doors.values():
            door.terminal.close()
    base_median = float(np.median(base_ms))
    medians = {name: float(np.median(ms)) for name, ms in door_ms.items()}
    who = f" + {extra_people:,} synthetic people" if extra_people else " (the 6 sample people)"
    bench = f"frame to decision{who}"
    baseline = "face_recognition: HOG x1 full frame, all faces, per-sample loop"

    def note(name: str) -> str:
        c, door = counts[name], doors[name]
        return (f"{len(test_frames)} frames; FramePipeline ({name} engine, threshold "
                f"{door.threshold:.3f} from the door's rule, liveness off), library "
                f"{door.samples:,} samples; door person vs baseline: {c['same']} same, "
                f"{c['other_face']} another face the baseline also named, {c['lost']} lost "
                f"(recognised by the baseline, not by ours; in {c['lost_nearest_right']} of them "
                f"the baseline's person was the nearest, refused by the door's threshold or "
                f"margin), {c['wrong']} named someone the baseline did not")

    ctx.extra[f"frame_to_decision_{extra_people}"] = {
        "frames": len(test_frames), "baseline_median_ms": base_median,
        **{name: {**counts[name], "median_ms": medians[name], "samples": doors[name].samples,
                  "not_named_by_baseline": unnamed[name],
                  "threshold": doors[name].threshold} for name in doors}}
    mf = medians["mobileface"]
    agreement = [
        Figure(bench, f"{name} door path: door person the baseline also named",
               float(counts[name]["same"] + counts[name]["other_face"]), "frames",
               "the baseline's door person (0.55 fixed)",
               float(counts[name]["same"] + counts[name]["other_face"] + counts[name]["lost"]),
               better="higher", target="none the baseline did not name",
               met=counts[name]["wrong"] == 0,
               note=f"{counts[name]['lost']} lost, {counts[name]['lost_nearest_right']} of them "
                    f"with the right person nearest (threshold {doors[name].threshold:.3f}); "
                    f"{counts[name]['wrong']} named someone the baseline named nowhere in the "
                    f"frame: {', '.join(unnamed[name]) or '-'} (the baseline is no ground "
                    f"truth: Barack Obama is in the clip's audience from frame 213 on)")
        for name in doors]
    return [
        Figure(bench, "dlib door path: median per frame", medians["dlib"], "ms", baseline,
               base_median, target="<= half the baseline", met=medians["dlib"] <= base_median / 2,
               note=note("dlib")),
        Figure(bench, "dlib door path: p95 per frame", float(np.percentile(door_ms["dlib"], 95)),
               "ms", "the same baseline", float(np.percentile(base_ms, 95))),
        Figure(bench, "mobileface door path: median per frame", mf, "ms", baseline,
               base_median, target="<= 1/4 of the baseline", met=mf <= base_median / 4,
               note=note("mobileface")),
        Figure(bench, "mobileface door path: median per frame", mf, "ms",
               "dlib door path (same frames, same run)", medians["dlib"],
               target="no slower than the dlib path", met=mf <= medians["dlib"]),
        Figure(bench, "mobileface door path: p95 per frame",
               float(np.percentile(door_ms["mobileface"], 95)), "ms",
               "dlib door path (same frames, same run)",
               float(np.percentile(door_ms["dlib"], 95))),
        *agreement,
    ]


def _samples(terminal: Terminal) -> list[tuple[str, bytes]]:
    import sqlalchemy as sa

    from device.storage.db import read_transaction
    from device.storage.schema import face_samples

    with read_transaction(terminal.database.engine) as c:
        return [(r.person_id, r.encoding) for r in
                c.execute(sa.select(face_samples.c.person_id, face_samples.c.encoding))]
