"""The frame pipeline: detect, pick the door candidate, track it, encode only when needed.

A face that stays in view keeps its track and its last result; it is encoded again only
when the track is new, when `recheck_seconds` have passed, or (while unrecognised) a
little sooner, so one person in front of the door costs a detection per frame, not an
encoding per frame. A track is reported unknown only after two unknown encodings in a
row: a face turning towards the camera often reads as nobody on its first frame.

With liveness on, each track also gathers evidence (68-point landmarks, TOF distance) from
its first frame until its liveness verdict; a recognised person is reported only with that
verdict, at the latest `max_wait_s` after recognition (device/liveness/evidence.py). While
that verdict is pending, a detection gap of up to PENDING_GAP_S (a face turned for a frame
or two) does not end the track: the recognition and the evidence gathered so far carry on
when the face reappears in the same place, instead of starting over with a new track.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from device.liveness.evidence import EvidenceWindow, assess, observe
from device.liveness.policy import LivenessConfig, LivenessResult
from device.recognition.decision import MIN_NAMED_FACE_PX, Match, Verdict, decide
from device.recognition.engine import Box
from device.recognition.engines import Engine
from device.recognition.matcher import FaceIndex

UNKNOWN_CONFIRMATIONS = 2
UNKNOWN_RETRY_SECONDS = 0.2
MIN_IOU = 0.3
#: Liveness on, a recognised face waiting for its verdict keeps its track through frames
#: without a face for this long (the detector misses a turned face for a frame or two);
#: longer, the person left, and the pending recognition is dropped as before.
PENDING_GAP_S = 0.3


@dataclass
class Track:
    track_id: int
    box: Box
    detect_side: int  # the detection copy's longest side that found this face
    last_encoded: float = float("-inf")
    match: Match | None = None
    reported: Verdict | None = None
    reported_person: str | None = None
    unknown_streak: int = 0
    evidence: EvidenceWindow = field(default_factory=EvidenceWindow)
    pending: Match | None = None  # recognised, waiting for the liveness verdict
    pending_since: float = 0.0
    last_seen: float = 0.0  # when the face was last detected
    liveness: LivenessResult | None = None  # the verdict, once reached


@dataclass(frozen=True)
class FaceView:
    box: Box
    candidate: bool
    match: Match | None = None


@dataclass
class FrameResult:
    faces: list[FaceView] = field(default_factory=list)
    track_id: int | None = None
    decision: Match | None = None  # set when the door candidate needs acting on
    encoded: bool = False
    liveness: LivenessResult | None = None  # the verdict that goes with `decision`
    waiting: bool = False  # recognised, but the liveness verdict is not in yet


def iou(a: Box, b: Box) -> float:
    top, right = max(a[0], b[0]), min(a[1], b[1])
    bottom, left = min(a[2], b[2]), max(a[3], b[3])
    inter = max(0, right - left) * max(0, bottom - top)
    area_a = (a[1] - a[3]) * (a[2] - a[0])
    area_b = (b[1] - b[3]) * (b[2] - b[0])
    union = area_a + area_b - inter
    return inter / union if union else 0.0


class FramePipeline:
    def __init__(self, engine: Engine, index: Callable[[], FaceIndex],
                 threshold: float, margin: float, recheck_seconds: float = 1.0,
                 min_face_px: int = MIN_NAMED_FACE_PX,
                 liveness: LivenessConfig | None = None) -> None:
        self.engine = engine
        self.index = index
        self.threshold = threshold
        self.margin = margin
        self.recheck_seconds = recheck_seconds
        self.min_face_px = min_face_px
        self.track: Track | None = None
        self.liveness = liveness  # None or policy off: no evidence gathered, no waiting
        self._ids = itertools.count(1)

    @property
    def checks_liveness(self) -> bool:
        return self.liveness is not None and self.liveness.enabled

    def process(self, rgb: np.ndarray, t: float, distance_mm: float | None = None) -> FrameResult:
        """One frame; `distance_mm` is the TOF reading taken with it (None: none fresh)."""
        if self.track is None:
            found, detect_side = self.engine.acquire(rgb)
        else:  # the size that found the face, while it is followed
            found, detect_side = self.engine.detect(rgb, self.track.detect_side), \
                self.track.detect_side
        faces = [f for f in found if min(f.width, f.height) >= self.min_face_px]
        result = FrameResult()
        if not faces:
            if self._holds_pending(t):
                result.waiting = True  # a short detection gap while deciding: keep the track
                return result
            self.track = None
            return result
        door = faces[0]  # largest: the one closest to the door
        track = self.track
        if track is None or iou(track.box, door.box) < MIN_IOU:
            track = self.track = Track(next(self._ids), door.box, detect_side)
        track.box, track.last_seen = door.box, t
        result.track_id = track.track_id
        if self.checks_liveness and track.liveness is None and track.evidence.wants(t):
            track.evidence.add(observe(rgb, door, t, distance_mm))  # only while deciding
        if self._due(track, t):
            match = decide(self.index().search(self.engine.encode(rgb, door)),
                           self.threshold, self.margin)
            track.match, track.last_encoded = match, t
            result.encoded = True
            result.decision = self._to_report(track, match)
            if result.decision is not None and result.decision.known and self.checks_liveness:
                if track.liveness is not None:  # another person on this track: start again
                    track.evidence, track.liveness = EvidenceWindow(), None
                track.pending, track.pending_since = result.decision, t
                result.decision = None
        if track.pending is not None:
            self._settle(track, t, result)
        result.faces = [FaceView(door.box, True, track.match)] + [
            FaceView(f.box, False) for f in faces[1:]]
        return result

    def _holds_pending(self, t: float) -> bool:
        track = self.track
        return (self.checks_liveness and track is not None and track.pending is not None
                and t - track.last_seen <= PENDING_GAP_S)

    def _settle(self, track: Track, t: float, result: FrameResult) -> None:
        """Report the pending recognition once liveness has a verdict (or time is up)."""
        assert track.pending is not None
        if self.liveness is None or not self.liveness.enabled:  # switched off meanwhile
            result.decision, track.pending = track.pending, None
            return
        verdict = track.liveness or assess(track.evidence, self.liveness, t - track.pending_since)
        if verdict is None:
            result.waiting = True
            return
        track.liveness = verdict
        result.decision, result.liveness, track.pending = track.pending, verdict, None

    def _due(self, track: Track, t: float) -> bool:
        since = t - track.last_encoded
        if track.match is None or since >= self.recheck_seconds:
            return True
        return not track.match.known and since >= UNKNOWN_RETRY_SECONDS

    @staticmethod
    def _to_report(track: Track, match: Match) -> Match | None:
        """A match worth acting on: a new person on this track, or a confirmed stranger."""
        if match.known:
            track.unknown_streak = 0
            if track.reported is Verdict.KNOWN and track.reported_person == match.person_id:
                return None
            track.reported, track.reported_person = Verdict.KNOWN, match.person_id
            return match
        track.unknown_streak += 1
        if track.reported is not None or track.unknown_streak < UNKNOWN_CONFIRMATIONS:
            return None
        track.reported, track.reported_person = match.verdict, None
        return match
