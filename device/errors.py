"""Errors the core raises. Driver errors are translated into these at the edge.

The message of each is English, one line. An error a person may see in another language
also carries its reason as a code (PhotoRefused.problem), which adapters hand to
device/messages.py rather than reading the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FaceGateError(Exception):
    """Base class: the message is one line meant for the person at the keyboard."""


class BadInput(FaceGateError):
    """The caller gave something unusable (image, id, option); nothing was written."""


class QualityCode(StrEnum):
    """Why a photo or a camera frame cannot be enrolled (device/library/enrolment.py)."""

    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"  # value: how many; limit: 1
    TOO_SMALL = "too_small"  # value, limit: face size in px
    TOO_DARK = "too_dark"  # value, limit: mean brightness 0-255
    BLURRED = "blurred"  # value, limit: sharpness (variance of the Laplacian)
    NOT_FRONTAL = "not_frontal"  # value, limit: |yaw|, 0 = frontal
    SAME_PHOTO = "same_photo"  # this photo, byte for byte, is enrolled already


@dataclass(frozen=True)
class QualityProblem:
    """One quality problem: what was measured and the limit it failed (None: nothing to
    measure). Its words, in either language: device.messages.problem_text."""

    code: QualityCode
    value: int | float | None = None
    limit: int | float | None = None


class PhotoRefused(BadInput):
    """A photo (or frame) enrolment cannot use: `source` names it, `problem` says why."""

    def __init__(self, message: str, source: str, problem: QualityProblem) -> None:
        super().__init__(message)
        self.source = source
        self.problem = problem


class NotFound(FaceGateError):
    """A person, sample or alert that does not exist."""


class AlreadyEnrolled(BadInput):
    """The face already belongs to another enrolled person."""

    def __init__(self, message: str, person_id: str, distance: float) -> None:
        super().__init__(message)
        self.person_id = person_id
        self.distance = distance


class DatabaseError(FaceGateError):
    """The database file is unusable: not SQLite, corrupt, or from a newer schema."""


class IntegrityError(FaceGateError):
    """The event log failed verification (broken hash chain, projection drift)."""
