"""From nearest candidates to a decision: a person, or unknown (never a guess)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from device.recognition.matcher import Candidate

# Measured on ../shared/data (docs/thresholds.md): same-person distances reach 0.51,
# different people start at 0.69. 0.6 (dlib's 1:1 figure) lets strangers in at 1:N;
# the seeds' 0.5 turns away enrolled people photographed on another day.
DEFAULT_THRESHOLD = 0.55
# Two people whose best samples are this close to the probe are too close to call (in
# dlib's distance units; other models scale it, device/recognition/calibration.py).
DEFAULT_MARGIN = 0.06
#: Faces narrower than this are found but never named (door and `identify` alike): below
#: it an embedding is guesswork (the sample clip's 23-px pianist came out as someone else).
MIN_NAMED_FACE_PX = 40
#: One stranger in this many attempts may be named as someone, by the calibration tables,
#: which are conservative: on LFW devtrain at 1,184 people this level let 0.84% of strangers
#: through (1 in 119) and named 91% of genuine probes; 1 in 100 named 89%
#: (docs/thresholds.md). A site sets its own (`calibrate` measures its photos).
DEFAULT_SECURITY_LEVEL = 60


class Verdict(StrEnum):
    KNOWN = "known"
    UNKNOWN = "unknown"  # nobody within the threshold
    AMBIGUOUS = "ambiguous"  # two people within reach and too close to call


class AccessDecision(StrEnum):
    """An AccessDecided event's "decision"."""

    GRANTED = "granted"
    DENIED = "denied"


class AccessReason(StrEnum):
    """An AccessDecided event's "reason" (device/attendance.py); its words in both
    languages are in device/messages.py. Denials name the verdict they came from."""

    RECOGNISED = "recognised"  # granted
    UNKNOWN = "unknown"  # Verdict.UNKNOWN
    AMBIGUOUS = "ambiguous"  # Verdict.AMBIGUOUS
    KNOWN = "known"  # recognised as someone removed a moment ago (a race): a stranger now
    SPOOF_SUSPECTED = "spoof_suspected"  # recognised, but a photo or a screen (strict policy)

    @classmethod
    def denied(cls, verdict: Verdict) -> AccessReason:
        """The reason a match of this verdict is turned away for."""
        return cls(verdict.value)


@dataclass(frozen=True)
class Match:
    verdict: Verdict
    person_id: str | None
    distance: float | None
    nearest: Candidate | None
    runner_up: Candidate | None

    @property
    def known(self) -> bool:
        return self.verdict is Verdict.KNOWN


def decide(candidates: list[Candidate], threshold: float = DEFAULT_THRESHOLD,
           margin: float = DEFAULT_MARGIN) -> Match:
    nearest = candidates[0] if candidates else None
    runner_up = candidates[1] if len(candidates) > 1 else None
    if nearest is None or nearest.distance > threshold:
        return Match(Verdict.UNKNOWN, None, nearest.distance if nearest else None, nearest,
                     runner_up)
    if runner_up is not None and runner_up.distance - nearest.distance < margin:
        return Match(Verdict.AMBIGUOUS, None, nearest.distance, nearest, runner_up)
    return Match(Verdict.KNOWN, nearest.person_id, nearest.distance, nearest, runner_up)
