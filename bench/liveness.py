"""Liveness: APCER / BPCER per cue and combined, and the time the check adds to a decision.

`python -m bench.liveness [--quick] [--seed N] [--out FILE]` (or registered in `python -m
bench` as "liveness": `run(ctx)` returns the figures).

WHAT IS SYNTHETIC (printed with the results too): there are no recordings of real attacks
here. Attack presentations are rendered: the photographs of `faces/` printed or shown on a
phone, as a rigid plane moved by a simulated hand (drift, sway, tremor, tilt, a slow
approach) in front of a simulated camera, with simulated TOF readings of the plane's
distance; a screen replay is the sample video played on a phone, rendered the same way.
Bona fide presentations are the real sample video (one interview clip, people talking);
its TOF readings are synthetic, derived from the face size with an assumed focal length
and a drawn inter-eye distance. ISO/IEC 30107-3 terms: APCER = attack presentations
accepted as bona fide (per attack species), BPCER = bona fide presentations rejected.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from bench.report import Context, Figure, table, write
from device.liveness.evidence import SCALE_FAIL_READINGS, EvidenceWindow, assess, observe
from device.liveness.landmarks import eye_distance_5, preload
from device.liveness.motion import BLINK_DROP
from device.liveness.policy import (
    NOMINAL_EYE_MM,
    CueResult,
    CueState,
    LivenessConfig,
    LivenessPolicy,
    LivenessVerdict,
)
from device.recognition.engine import DetectedFace, FaceEngine
from device.recognition.pipeline import MIN_IOU, PENDING_GAP_S, FramePipeline, iou

NAME = "liveness"
HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"
VIDEO = Path("video") / "short_hamilton_clip.mp4"

# -- the simulated camera and sensor ------------------------------------------------------
CAMERA_W, CAMERA_H = 640, 360
#: Assumed focal length: 62 deg horizontal field of view at 640 px (Raspberry Pi camera v2
#: class). The genuine TOF readings are derived from it, the attacks are rendered with it.
FOCAL_PX = 530.0
#: The evidence window samples faces at about 10 Hz whatever the camera's rate
#: (device/liveness/evidence.py OBSERVATION_INTERVAL_S), so the error rates are measured
#: on presentations rendered at 10 frames a second. The latency runs use the real 30 fps
#: video and a door that always takes the newest frame (see _time_to_decision).
PROCESS_FPS = 10.0
CAMERA_FPS = 29.97
#: Calibration error of the focal length (one person at a known distance, nominal 63 mm).
CALIBRATION_ERROR = 0.05
#: TOF noise: this fraction of the distance plus a constant, one sigma.
TOF_NOISE_REL = 0.01
TOF_NOISE_MM = 3.0
#: A person's TOF reading may hit the chin or the neck rather than the eyes: a bias of up
#: to this fraction, drawn per approach.
TOF_BODY_BIAS = 0.05
#: Adult inter-eye distance of the genuine person, drawn per approach (mm).
EYE_MM_MEAN, EYE_MM_SD, EYE_MM_RANGE = 63.0, 3.5, (54.0, 72.0)
CAMERA_NOISE = 2.0  # grey levels, one sigma
SEQUENCE_S = 2.0  # enough for the longest wait (max_wait_s after the first frame)
BACKGROUND_FRAME = 50  # a frame of the sample video with nobody detected: the "room"
VIDEO_FACE_MIN_RUN = 20  # video frames in a row with a face: a segment to draw from
#: The sample video shows Lin-Manuel Miranda (enrolled from faces/), so the end-to-end
#: latency runs use his segment, where the door recognises him.
LATENCY_PERSON = "lin_manuel_miranda"


@dataclass(frozen=True)
class Species:
    """One attack species (ISO/IEC 30107-3 "PAI species")."""

    name: str
    kind: str  # "photo": a still photograph; "video": the sample video played back
    scale: tuple[float, float]  # face size on the medium relative to life size
    distance_mm: tuple[float, float]  # where it is held
    medium_mm: tuple[float, float]  # width, height of the print or screen
    border: tuple[int, int, int]  # colour around the picture (paper white, bezel black)
    in_target: bool = True  # counted in the headline APCER
    note: str = ""


SPECIES = (
    Species("phone photo", "photo", (0.25, 0.45), (150, 350), (68, 145), (10, 10, 10),
            note="a photo on a phone screen, the face filling its width (<= 0.45 x life)"),
    Species("small print", "photo", (0.3, 0.7), (200, 450), (100, 150), (235, 235, 230),
            note="a 10 x 15 cm print"),
    Species("life-size print", "photo", (0.9, 1.1), (400, 800), (210, 297), (235, 235, 230),
            note="an A4 print at life size: the scale fits, only motion can tell"),
    Species("screen replay", "video", (0.3, 0.45), (150, 350), (70, 150), (10, 10, 10),
            note="the sample video zoomed to fill a phone screen: it blinks and talks, only "
                 "scale can tell"),
    Species("life-size tablet replay", "video", (0.9, 1.1), (400, 700), (170, 250),
            (10, 10, 10), in_target=False,
            note="KNOWN BLIND SPOT: a live recording at life size passes every cue here"),
)


@dataclass(frozen=True)
class Frame:
    rgb: np.ndarray
    t: float  # seconds since the presentation started
    distance_mm: float | None


@dataclass(frozen=True)
class Presentation:
    label: str  # "attack" or "bona fide"
    species: str
    source: str
    frames: Callable[[], Iterator[Frame]]
    focal_px: float  # the device's calibrated focal length (with calibration error)


# -- geometry and rendering ---------------------------------------------------------------

def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Camera-frame rotation (x right, y down, z forward), angles in radians."""
    cy, sy, cp, sp, cr, sr = (math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch),
                              math.cos(roll), math.sin(roll))
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return rz @ ry @ rx


def camera_matrix(focal_px: float = FOCAL_PX, width: int = CAMERA_W,
                  height: int = CAMERA_H) -> np.ndarray:
    return np.array([[focal_px, 0, width / 2], [0, focal_px, height / 2], [0, 0, 1]])


def plane_homography(rot: np.ndarray, anchor_mm: np.ndarray, mm_per_px: float,
                     anchor_px: tuple[float, float], k: np.ndarray) -> np.ndarray:
    """Canvas pixels -> image pixels for a flat canvas whose `anchor_px` sits at
    `anchor_mm` (camera coordinates) and whose pixels are `mm_per_px` wide."""
    ax, ay = anchor_px
    origin = anchor_mm - rot @ np.array([ax * mm_per_px, ay * mm_per_px, 0.0])
    return k @ np.column_stack([rot[:, 0] * mm_per_px, rot[:, 1] * mm_per_px, origin])


@dataclass(frozen=True)
class HandMotion:
    """How a hand holds a picture: a base pose, slow sway, an approach and tremor."""

    start_mm: np.ndarray  # anchor position at t = 0
    approach: float  # fraction of the distance closed over SEQUENCE_S
    base: np.ndarray  # yaw, pitch, roll (rad)
    sway_amp: np.ndarray  # x, y, z (mm), yaw, pitch, roll (rad)
    sway_hz: np.ndarray
    sway_phase: np.ndarray
    tremor: np.ndarray  # per-frame noise: x, y, z (mm), yaw, pitch, roll (rad)

    @classmethod
    def draw(cls, rng: np.random.Generator, distance_mm: float) -> HandMotion:
        deg = math.radians
        start = np.array([rng.uniform(-0.12, 0.12) * distance_mm,
                          rng.uniform(-0.08, 0.08) * distance_mm, distance_mm])
        base = np.array([deg(rng.uniform(-15, 15)), deg(rng.uniform(-15, 15)),
                         deg(rng.uniform(-6, 6))])
        amp = np.array([rng.uniform(2, 10), rng.uniform(2, 10), rng.uniform(2, 10),
                        deg(rng.uniform(1, 5)), deg(rng.uniform(1, 5)), deg(rng.uniform(0.5, 3))])
        return cls(start, rng.uniform(0.0, 0.15), base, amp, rng.uniform(0.2, 1.5, 6),
                   rng.uniform(0, 2 * math.pi, 6),
                   np.array([0.5, 0.5, 0.5, deg(0.3), deg(0.3), deg(0.3)]))

    def pose(self, t: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        wave = self.sway_amp * np.sin(2 * math.pi * self.sway_hz * t + self.sway_phase)
        wave = wave + rng.normal(0.0, 1.0, 6) * self.tremor
        centre = self.start_mm.copy()
        centre[2] *= 1.0 - self.approach * min(t / SEQUENCE_S, 1.0)
        return rotation(*(self.base + wave[3:])), centre + wave[:3]


@dataclass(frozen=True)
class Canvas:
    """A picture on its medium (print or screen), as an image, with the face's anchor."""

    image: np.ndarray
    anchor_px: tuple[float, float]  # the midpoint between the eyes
    mm_per_px: float


def medium_canvas(picture: np.ndarray, eye_mid: np.ndarray, eye_px: float, scale: float,
                  species: Species) -> Canvas:
    """The picture cut to the medium, the face at `scale` x life size, eyes 40% down."""
    mm_per_px = scale * NOMINAL_EYE_MM / eye_px
    width = max(8, round(species.medium_mm[0] / mm_per_px))
    height = max(8, round(species.medium_mm[1] / mm_per_px))
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = species.border
    anchor = (width / 2, 0.4 * height)
    dx, dy = round(anchor[0] - eye_mid[0]), round(anchor[1] - eye_mid[1])
    sy0, sx0 = max(0, -dy), max(0, -dx)
    sy1, sx1 = min(picture.shape[0], height - dy), min(picture.shape[1], width - dx)
    if sy1 > sy0 and sx1 > sx0:
        canvas[sy0 + dy:sy1 + dy, sx0 + dx:sx1 + dx] = picture[sy0:sy1, sx0:sx1]
    return Canvas(canvas, anchor, mm_per_px)


def render(canvas: Canvas, rot: np.ndarray, anchor_mm: np.ndarray, background: np.ndarray,
           rng: np.random.Generator, focal_px: float = FOCAL_PX) -> np.ndarray:
    """The camera's view of the canvas held at (rot, anchor_mm) in front of `background`."""
    h = plane_homography(rot, anchor_mm, canvas.mm_per_px, canvas.anchor_px,
                         camera_matrix(focal_px, background.shape[1], background.shape[0]))
    out = background.copy()
    cv2.warpPerspective(canvas.image, h, (background.shape[1], background.shape[0]), dst=out,
                        flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
    noisy = out.astype(np.float32) + rng.normal(0.0, CAMERA_NOISE, out.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def tof_reading(true_mm: float, rng: np.random.Generator, bias: float = 0.0) -> float:
    sigma = TOF_NOISE_REL * true_mm + TOF_NOISE_MM
    return float(round(true_mm * (1.0 + bias) + rng.normal(0.0, sigma)))


def frame_times(duration_s: float = SEQUENCE_S, fps: float = PROCESS_FPS) -> list[float]:
    return [k / fps for k in range(round(duration_s * fps) + 1)]


@dataclass(frozen=True)
class Picture:
    """What the attacker shows: the image at each moment (a photo: always the same), and
    where its face's eye midpoint is (the zoom is fixed by the eye distance at the start)."""

    at: Callable[[float], tuple[np.ndarray, np.ndarray]]  # t -> (image, eye midpoint)
    eye_px: float


def rigid_sequence(picture: Picture, species: Species, background: np.ndarray,
                   rng: np.random.Generator, times: Sequence[float]) -> Iterator[Frame]:
    """Frames of a picture (still or playing) on a hand-held plane, with TOF readings."""
    scale = rng.uniform(*species.scale)
    hand = HandMotion.draw(rng, rng.uniform(*species.distance_mm))
    canvases: dict[int, Canvas] = {}
    for t in times:
        image, eye_mid = picture.at(t)
        canvas = canvases.get(id(image))
        if canvas is None:
            canvas = canvases[id(image)] = medium_canvas(image, eye_mid, picture.eye_px,
                                                         scale, species)
        rot, anchor = hand.pose(t, rng)
        yield Frame(render(canvas, rot, anchor, background, rng), t,
                    tof_reading(float(anchor[2]), rng))


# -- the sample data ----------------------------------------------------------------------

def read_video(path: Path) -> tuple[list[np.ndarray], float]:
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS) or 29.97
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    return frames, fps


@dataclass
class VideoFaces:
    """The door candidate of every video frame (None where nobody is detected)."""

    frames: list[np.ndarray]
    fps: float
    faces: list[DetectedFace | None]

    def eye_px(self, index: int) -> float:
        face = self.faces[index]
        return float("nan") if face is None else eye_distance_5(face.landmarks)

    def segments(self, min_run: int = VIDEO_FACE_MIN_RUN) -> list[tuple[int, int]]:
        """[start, stop) runs of frames with a face, allowing gaps of up to 5 frames."""
        runs, start, gap = [], None, 0
        for i, face in enumerate([*self.faces, None]):
            if face is not None:
                start, gap = (i if start is None else start), 0
            elif start is not None:
                gap += 1
                if gap > 5 or i == len(self.faces):
                    stop = i - gap + 1
                    if stop - start >= min_run:
                        runs.append((start, stop))
                    start, gap = None, 0
        return runs

    def smooth_eye_px(self, index: int, half: int = 15) -> float:
        """Median eye distance around a frame: the person's distance, not their yaw."""
        values = [self.eye_px(i) for i in range(max(0, index - half),
                                                 min(len(self.faces), index + half + 1))]
        values = [v for v in values if np.isfinite(v)]
        return float(np.median(values)) if values else float("nan")


def analyse_video(engine: FaceEngine, path: Path) -> VideoFaces:
    frames, fps = read_video(path)
    faces = []
    for rgb in frames:
        found = engine.detect(rgb)
        faces.append(found[0] if found else None)
    return VideoFaces(frames, fps, faces)


def _eye_mid(face: DetectedFace) -> np.ndarray:
    p = face.landmarks
    return ((p[0] + p[1]) / 2 + (p[2] + p[3]) / 2) / 2


def photo_picture(engine: FaceEngine, path: Path) -> Picture:
    from device.imaging import load_rgb

    rgb = load_rgb(path)
    face = engine.detect(rgb, max_side=1024)[0]
    still = (rgb, _eye_mid(face))
    return Picture(lambda t: still, eye_distance_5(face.landmarks))


def video_picture(video: VideoFaces, start: int) -> Picture:
    """The video playing from `start`, zoomed so that the face of its first frame fills
    the screen, and kept centred on the face (a prepared, face-following crop)."""
    face = video.faces[start]
    assert face is not None
    anchor = [_eye_mid(face)]

    def at(t: float) -> tuple[np.ndarray, np.ndarray]:
        index = min(len(video.frames) - 1, start + round(t * video.fps))
        found = video.faces[index]
        if found is not None:
            anchor[0] = _eye_mid(found)
        return video.frames[index], anchor[0]
    return Picture(at, eye_distance_5(face.landmarks))


def genuine_frames(video: VideoFaces, start: int, rng: np.random.Generator,
                   times: Sequence[float]) -> Iterator[Frame]:
    """The real video from `start`; TOF = the distance at which a face with a drawn adult
    inter-eye distance would look as large as this one does (smoothed), plus noise."""
    eye_mm = float(np.clip(rng.normal(EYE_MM_MEAN, EYE_MM_SD), *EYE_MM_RANGE))
    bias = rng.uniform(0.0, TOF_BODY_BIAS)
    for t in times:
        index = start + round(t * video.fps)
        if index >= len(video.frames):
            return
        eye_px = video.smooth_eye_px(index)
        distance = (tof_reading(FOCAL_PX * eye_mm / eye_px, rng, bias)
                    if np.isfinite(eye_px) else None)
        yield Frame(video.frames[index], t, distance)


def _replayed(video: VideoFaces, start: int, species: Species, background: np.ndarray,
              rng: np.random.Generator, times: Sequence[float]) -> Iterator[Frame]:
    """The video from `start` replayed on a screen; its picture is made when asked for."""
    return rigid_sequence(video_picture(video, start), species, background, rng, times)


# -- presentations ------------------------------------------------------------------------

def photo_paths(data: Path) -> list[Path]:
    return sorted(p for p in (data / "faces").glob("*/*") if p.is_file())


def build_presentations(engine: FaceEngine, data: Path, video: VideoFaces, seed: int,
                        repeats: int, replay_starts: int) -> list[Presentation]:
    rng = np.random.default_rng(seed)
    background = video.frames[BACKGROUND_FRAME]
    times = frame_times()
    out: list[Presentation] = []

    def focal() -> float:
        return FOCAL_PX * (1.0 + rng.uniform(-CALIBRATION_ERROR, CALIBRATION_ERROR))

    def add(label: str, species: str, source: str, make: Callable[[np.random.Generator],
                                                                  Iterator[Frame]]) -> None:
        child = np.random.default_rng(rng.integers(2**63))
        out.append(Presentation(label, species, source, lambda: make(child), focal()))

    starts = _starts(video, SEQUENCE_S)
    for start in starts:
        add("bona fide", "sample video", f"frame {start}",
            functools.partial(genuine_frames, video, start, times=times))
    for species in SPECIES:
        if species.kind == "photo":
            for path in photo_paths(data):
                picture = photo_picture(engine, path)
                for _ in range(repeats):
                    add("attack", species.name, path.name,
                        functools.partial(rigid_sequence, picture, species, background,
                                          times=times))
        else:
            chosen = rng.choice(starts, size=min(replay_starts, len(starts)), replace=False)
            for start in sorted(int(s) for s in chosen):
                add("attack", species.name, f"video frame {start}",
                    functools.partial(_replayed, video, start, species, background,
                                      times=times))
    return out


def _starts(video: VideoFaces, duration_s: float, step: int = 3) -> list[int]:
    """Start frames whose next `duration_s` seconds all lie inside one face segment."""
    need = round(duration_s * video.fps)
    return [s for a, b in video.segments() for s in range(a, b - need, step)
            if video.faces[s] is not None]


# -- evaluation ---------------------------------------------------------------------------

CUES = ("scale", "motion", "blink", "motion+blink", "combined")


@dataclass
class Outcome:
    """What each cue on its own, and the combination, made of one presentation.

    A cue decides bona fide as soon as it passes, attack when it fails for good (scale:
    out of range on SCALE_FAIL_READINGS readings; motion and blink: nothing by the
    deadline). If the face's track is lost first, that cue gave no response (the door
    would start again on a new track): not counted, reported.
    """

    presentation: Presentation
    accepted: dict[str, bool] = field(default_factory=dict)  # cue -> judged bona fide
    decision_s: float | None = None  # combined verdict, seconds after the first frame
    reason: str = ""
    work_ms: list[float] = field(default_factory=list)  # liveness work per observed frame

    def responded(self, cue: str = "combined") -> bool:
        return cue in self.accepted


def _single_cues(cues: Sequence[CueResult], readings: int, waited: float,
                 max_wait: float) -> dict[str, bool]:
    """The decisions each cue alone can make at this frame."""
    scale, moving, blink = cues
    decided: dict[str, bool] = {}
    if readings >= SCALE_FAIL_READINGS and scale.state is not CueState.UNAVAILABLE:
        decided["scale"] = scale.state is CueState.PASS
    for name, passing in (("motion", moving.state is CueState.PASS),
                          ("blink", blink.state is CueState.PASS),
                          ("motion+blink", CueState.PASS in (moving.state, blink.state))):
        if passing or waited >= max_wait:
            decided[name] = passing
    return decided


def evaluate(engine: FaceEngine, presentation: Presentation, config: LivenessConfig,
             min_face_px: int = 40) -> Outcome:
    """Follow the first tracked face as FramePipeline does (same window, same assess),
    recognition taken to happen on its first frame, until every cue has decided."""
    config = replace(config, focal_px=presentation.focal_px, calibration_width_px=CAMERA_W)
    outcome = Outcome(presentation)
    window = EvidenceWindow()
    box = None
    first_t = last_seen = None
    for frame in presentation.frames():
        if box is None:  # as FramePipeline: acquire, then keep to the size that found it
            found, side = engine.acquire(frame.rgb)
        else:
            found = engine.detect(frame.rgb, side)
        faces = [f for f in found if min(f.width, f.height) >= min_face_px]
        if not faces and last_seen is not None and "combined" not in outcome.accepted \
                and frame.t - last_seen <= PENDING_GAP_S:
            continue  # a short detection gap while the verdict is pending: the track holds
        if not faces or (box is not None and iou(box, faces[0].box) < MIN_IOU):
            if first_t is not None:
                break  # the track is lost: undecided cues gave no response
            continue
        face = faces[0]
        box, last_seen = face.box, frame.t
        first_t = frame.t if first_t is None else first_t
        if not window.wants(frame.t):
            continue
        started = time.perf_counter()
        window.add(observe(frame.rgb, face, frame.t, frame.distance_mm))
        waited = frame.t - first_t
        verdict = assess(window, config, waited)
        outcome.work_ms.append((time.perf_counter() - started) * 1000)
        if verdict is not None and "combined" not in outcome.accepted:
            outcome.decision_s, outcome.reason = waited, verdict.reason
            outcome.accepted["combined"] = verdict.verdict is LivenessVerdict.LIVE
        readings = sum(o.distance_mm is not None for o in window.observations())
        for cue, accepted in _single_cues(window.cues(config), readings, waited,
                                          config.max_wait_s).items():
            outcome.accepted.setdefault(cue, accepted)
        if all(c in outcome.accepted for c in CUES):
            break
    return outcome


@dataclass(frozen=True)
class Rate:
    errors: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.errors / self.total if self.total else float("nan")

    def __str__(self) -> str:
        return f"{self.percent:5.1f}% ({self.errors}/{self.total})"


def error_rates(outcomes: Sequence[Outcome]) -> dict[tuple[str, str], Rate]:
    """(cue, species) -> APCER for attacks, BPCER for the bona fide set."""
    rates: dict[tuple[str, str], Rate] = {}
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.presentation.species, []).append(o)
    for species, group in groups.items():
        attack = group[0].presentation.label == "attack"
        for cue in CUES:
            decided = [o.accepted[cue] for o in group if o.responded(cue)]
            if decided:
                rates[(cue, species)] = Rate(sum(a == attack for a in decided), len(decided))
    return rates


# -- latency: the real pipeline, with and without liveness --------------------------------

@dataclass(frozen=True)
class Latency:
    baseline_ms: list[float]
    liveness_ms: list[float]  # same approaches, same order
    refused: int  # genuine approaches the strict pipeline turned away

    @property
    def added_ms(self) -> list[float]:
        return [w - b for b, w in zip(self.baseline_ms, self.liveness_ms, strict=True)]


def measure_latency(engine: FaceEngine, data: Path, video: VideoFaces, seed: int,
                    limit: int, config: LivenessConfig,
                    log: Callable[[str], None]) -> Latency:
    """Approach to decision on the real video through FramePipeline (real recognition on
    the enrolled sample people), without liveness and with the strict policy, same frames."""
    from device.terminal import Terminal

    rng = np.random.default_rng(seed + 1)
    with tempfile.TemporaryDirectory() as tmp:
        terminal = Terminal.open(Path(tmp) / "bench.sqlite", device_id="bench-liveness")
        terminal.import_folder(data / "faces")
        s = terminal.settings()
        index = terminal.current_cache().index
        base_ms, live_ms, refused = [], [], 0
        starts = _starts(video, SEQUENCE_S)
        for start in starts[:: max(1, len(starts) // limit)][:limit]:
            frames = list(genuine_frames(video, start, rng, frame_times(fps=CAMERA_FPS)))
            cfg = replace(config, focal_px=FOCAL_PX, calibration_width_px=CAMERA_W)
            results = []
            for liveness in (None, cfg):
                pipeline = FramePipeline(engine, lambda: index, s.match_threshold,
                                         s.match_margin, s.recheck_seconds, liveness=liveness)
                results.append(_time_to_decision(pipeline, frames))
            (base, _), (live, verdict) = results
            if base is None or live is None:
                continue
            if verdict is not LivenessVerdict.LIVE:
                refused += 1
            base_ms.append(base)
            live_ms.append(live)
        terminal.close()
    log(f"latency: {len(base_ms)} genuine approaches with a decision")
    return Latency(base_ms, live_ms, refused)


def _time_to_decision(pipeline: FramePipeline,
                      frames: Sequence[Frame]) -> tuple[float | None, LivenessVerdict | None]:
    """ms from the first camera frame to the decision, on a door that takes the newest
    frame whenever it is free (like DoorService): camera time runs on while a frame is
    processed (measured wall time), and the frames that arrived meanwhile but one are
    skipped."""
    clock = 0.0  # the door's time, seconds since the first frame
    index = 0
    while index < len(frames):
        while index + 1 < len(frames) and frames[index + 1].t <= clock:
            index += 1  # newest frame available
        frame = frames[index]
        started = time.perf_counter()
        result = pipeline.process(frame.rgb, frame.t, frame.distance_mm)
        spent = time.perf_counter() - started
        clock = max(clock, frame.t) + spent
        if result.decision is not None:
            if result.decision.person_id != LATENCY_PERSON:
                return None, None
            return clock * 1000, result.liveness.verdict if result.liveness else None
        index += 1
    return None, None


# -- the run ------------------------------------------------------------------------------

SYNTHETIC_NOTE = (
    "SYNTHETIC: attacks are rendered (photos and the sample video on a simulated hand-held "
    "plane, simulated TOF); bona fide is the real sample video with synthetic TOF derived "
    "from face size (assumed focal length {focal:.0f} px, drawn adult eye distance). "
    "No real attack was recorded.")


def run(ctx: Context) -> list[Figure]:
    data = ctx.data
    engine = FaceEngine()
    config = LivenessConfig(policy=LivenessPolicy.STRICT)
    ctx.log(SYNTHETIC_NOTE.format(focal=FOCAL_PX))
    started = time.perf_counter()
    video = analyse_video(engine, data / VIDEO)
    ctx.log(f"video: {len(video.frames)} frames, face segments {video.segments()} "
            f"({time.perf_counter() - started:.0f} s)")
    repeats, replays = (1, 6) if ctx.quick else (2, 12)
    presentations = build_presentations(engine, data, video, ctx.seed, repeats, replays)
    ctx.log(f"{len(presentations)} presentations "
            f"({sum(p.label == 'attack' for p in presentations)} attacks)")
    preload()  # the 68-point model's first load is not liveness work per frame
    outcomes = []
    for n, p in enumerate(presentations, 1):
        outcomes.append(evaluate(engine, p, config))
        if n % 25 == 0:
            ctx.log(f"  {n}/{len(presentations)} evaluated")
    rates = error_rates(outcomes)
    latency = measure_latency(engine, data, video, ctx.seed, 8 if ctx.quick else 20, config,
                              ctx.log)
    report = describe(outcomes, rates, latency, config)
    print(report)
    ctx.extra["liveness"] = {
        "synthetic": SYNTHETIC_NOTE.format(focal=FOCAL_PX),
        "rates": {f"{cue} / {species}": {"errors": r.errors, "total": r.total}
                  for (cue, species), r in rates.items()},
        "non_response": _non_response(outcomes),
        "latency_ms": {"baseline": latency.baseline_ms, "liveness": latency.liveness_ms},
    }
    return figures(rates, latency)


def _non_response(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """Presentations per species whose combined check never decided (face not tracked)."""
    counts: dict[str, int] = {}
    for o in outcomes:
        if not o.responded():
            counts[o.presentation.species] = counts.get(o.presentation.species, 0) + 1
    return counts


def _in_target(species: str) -> bool:
    return any(s.name == species and s.in_target for s in SPECIES)


def worst_apcer(rates: dict[tuple[str, str], Rate], cue: str) -> Rate:
    """The highest APCER over the in-target attack species (ISO: report the worst)."""
    candidates = [r for (c, sp), r in rates.items() if c == cue and _in_target(sp)]
    return max(candidates, key=lambda r: r.percent) if candidates else Rate(0, 0)


def figures(rates: dict[tuple[str, str], Rate], latency: Latency) -> list[Figure]:
    """Error rates against a door without the check (every recognised replay gets in:
    APCER 100%, BPCER 0%), and the decision time without it, measured in the same run."""
    out = []
    combined_apcer = worst_apcer(rates, "combined").percent
    combined_bpcer = rates.get(("combined", "sample video"), Rate(0, 0)).percent
    met = combined_apcer <= 5 and combined_bpcer <= 5
    for cue in CUES:
        target = "<= 5% (both)" if cue == "combined" else None
        worst = worst_apcer(rates, cue)
        out.append(Figure(NAME, f"{cue}: worst APCER, synthetic attacks", worst.percent, "%",
                          "no liveness check", 100.0, target=target,
                          met=met if target else None,
                          note=f"{worst.errors}/{worst.total}; see docs/liveness.md"))
        bp = rates.get((cue, "sample video"), Rate(0, 0))
        out.append(Figure(NAME, f"{cue}: BPCER, real video", bp.percent, "%",
                          "no liveness check", 0.0, target=target,
                          met=met if target else None, note=f"{bp.errors}/{bp.total}"))
    added = float(np.median(latency.added_ms))
    out.append(Figure(NAME, "approach to decision, median", float(np.median(latency.liveness_ms)),
                      "ms", "without liveness (same run)", float(np.median(latency.baseline_ms))))
    out.append(Figure(NAME, "added to the decision, median", added, "ms", "none", None,
                      target="<= 300 ms", met=added <= 300,
                      note=f"p95 {np.percentile(latency.added_ms, 95):.0f} ms"))
    added_p95 = float(np.percentile(latency.added_ms, 95))
    out.append(Figure(NAME, "added to the decision, p95", added_p95, "ms", "none", None,
                      target="<= 300 ms", met=added_p95 <= 300,
                      note=f"max {max(latency.added_ms):.0f} ms"))
    return out


def describe(outcomes: Sequence[Outcome], rates: dict[tuple[str, str], Rate],
             latency: Latency, config: LivenessConfig) -> str:
    species = ["sample video", *[s.name for s in SPECIES]]
    lines = [SYNTHETIC_NOTE.format(focal=FOCAL_PX), "",
             f"thresholds: eye distance {config.eye_mm_min:.0f}-{config.eye_mm_max:.0f} mm, "
             f"motion residual >= {config.motion_min}, blink drop >= "
             f"{BLINK_DROP}, "
             f"wait <= {config.max_wait_s} s; {PROCESS_FPS:.0f} frames/s processed",
             "", "error rates (BPCER for the sample video, APCER for attacks):",
             f"{'presentations':<26}" + "".join(f"{c:>20}" for c in CUES)]
    for sp in species:
        row = [rates.get((c, sp)) for c in CUES]
        if all(r is None for r in row):
            continue
        scope = "" if sp == "sample video" or _in_target(sp) else " *"
        lines.append(f"{sp + scope:<26}" + "".join(f"{'-' if r is None else str(r):>20}"
                                                   for r in row))
    lines.append(f"{'worst APCER (in target)':<26}" + "".join(
        f"{worst_apcer(rates, c)!s:>20}" for c in CUES))
    lines.append("* outside the target: a known blind spot, reported, not hidden")
    missing = _non_response(outcomes)
    if missing:
        lines.append("no face tracked to a decision (not counted): " + ", ".join(
            f"{k} {v}" for k, v in missing.items()))
    lines += ["", "combined decision after the first frame (genuine): " + _spread(
        [o.decision_s * 1000 for o in outcomes
         if o.presentation.label == "bona fide" and o.decision_s is not None], "ms")]
    lines += [
        f"approach to decision on the real pipeline ({len(latency.baseline_ms)} approaches): "
        f"without liveness {_spread(latency.baseline_ms, 'ms')}; "
        f"strict liveness {_spread(latency.liveness_ms, 'ms')}",
        f"added (same approach, with minus without): {_spread(latency.added_ms, 'ms')}; "
        f"genuine refused by strict: {latency.refused}",
        "liveness work per observed frame (68-point fit, homographies, cues): " + _spread(
            [ms for o in outcomes for ms in o.work_ms], "ms")]
    lines += ["", "attack species (all rendered):"] + [
        f"  {sp.name}: {sp.scale[0]:g}-{sp.scale[1]:g} x life size at "
        f"{sp.distance_mm[0]:g}-{sp.distance_mm[1]:g} mm; {sp.note}" for sp in SPECIES]
    lines += ["", "where this evaluation flatters the method (docs/liveness.md):", *CAVEATS]
    return "\n".join(lines)


CAVEATS = (
    "  - the bona fide video is a person talking: a silent approach moves far less, so a real "
    "door's BPCER and wait will be higher",
    "  - the screen replay shows a real person: it blinks and talks, only the scale cue "
    "catches it, and a life-size replay passes every cue",
    "  - the bona fide TOF readings are derived from face size with the very model the scale "
    "cue inverts: its BPCER only shows the band's tolerance to the assumed spreads",
    "  - one seed of 17 photos and one video; the motion threshold was set on another seed "
    "of the same data",
)


def _spread(values: Sequence[float], unit: str) -> str:
    if not values:
        return "-"
    p = np.percentile(values, [50, 95])
    return f"median {p[0]:.0f} {unit}, p95 {p[1]:.0f} {unit}, max {max(values):.0f} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.liveness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer presentations (~2 min)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=HERE.parent / "var" / "liveness.json")
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("FACEGATE_DATA", DEFAULT_DATA)))
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    ctx = Context(quick=args.quick, data=args.data, out=args.out, log=log, seed=args.seed)
    started = time.perf_counter()
    found = run(ctx)
    print()
    print(table(found))
    write(args.out, found, {"command": "python -m bench.liveness " + " ".join(
        argv if argv is not None else sys.argv[1:]), "quick": args.quick, "seed": args.seed,
        "duration_s": round(time.perf_counter() - started, 1), **ctx.extra})
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
