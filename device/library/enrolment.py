"""Turning a photo into enrolment samples, or refusing it with the reason.

A refusal is a PhotoRefused (a BadInput) carrying a QualityProblem: a code, what was
measured and the limit. Its message is the English sentence the CLI and the HTTP API
print; the screen says the problem in its own language (device.messages.problem_text).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from device.errors import PhotoRefused, QualityCode, QualityProblem
from device.imaging import encode_jpeg, load_rgb
from device.messages import problem_text
from device.recognition.engine import PHOTO_DETECT_MAX_SIDE, DetectedFace, FaceEngine, FaceQuality


@dataclass(frozen=True)
class QualityPolicy:
    min_face_px: int = 64
    min_sharpness: float = 40.0  # sharp photos measure 100-4000; a 3-px blur falls under 30
    min_brightness: float = 40.0
    max_yaw: float = 0.35


@dataclass(frozen=True)
class Sample:
    encoding: np.ndarray
    crop_jpeg: bytes
    quality: FaceQuality
    source: str
    mirrored: bool = False


DEFAULT_POLICY = QualityPolicy()


__all__ = ["DEFAULT_POLICY", "PhotoRefused", "QualityCode", "QualityPolicy", "QualityProblem",
           "Sample", "quality_problem", "refused", "samples_from_image"]


def quality_problem(q: FaceQuality, policy: QualityPolicy) -> QualityProblem | None:
    """Why a face is not good enough to enrol (the first problem found); None if it is."""
    if q.size_px < policy.min_face_px:
        return QualityProblem(QualityCode.TOO_SMALL, q.size_px, policy.min_face_px)
    if q.brightness < policy.min_brightness:
        return QualityProblem(QualityCode.TOO_DARK, q.brightness, policy.min_brightness)
    if q.sharpness < policy.min_sharpness:
        return QualityProblem(QualityCode.BLURRED, q.sharpness, policy.min_sharpness)
    if abs(q.yaw) > policy.max_yaw:
        return QualityProblem(QualityCode.NOT_FRONTAL, abs(q.yaw), policy.max_yaw)
    return None


def refused(source: str, problem: QualityProblem) -> PhotoRefused:
    """The error for a photo with this problem: "<source>: <the problem in English>"."""
    return PhotoRefused(f"{source}: {problem_text(problem)}", source, problem)


def samples_from_image(engine: FaceEngine, source: str | Path | bytes | np.ndarray, *,
                       largest: bool = False, policy: QualityPolicy = DEFAULT_POLICY,
                       mirror: bool = True) -> list[Sample]:
    """The face's sample, plus its mirror image: one ID photo then covers both sides."""
    name = "frame" if isinstance(source, np.ndarray) else (
        "image" if isinstance(source, bytes) else str(source))
    rgb = source if isinstance(source, np.ndarray) else load_rgb(source)
    faces = engine.detect(rgb, max_side=PHOTO_DETECT_MAX_SIDE)
    if not faces:
        raise refused(name, QualityProblem(QualityCode.NO_FACE))
    if len(faces) > 1 and not largest:
        raise refused(name, QualityProblem(QualityCode.SEVERAL_FACES, len(faces), 1))
    face = faces[0]
    quality = engine.quality(rgb, face)
    problem = quality_problem(quality, policy)
    if problem is not None:
        raise refused(name, problem)
    crop = encode_jpeg(engine.crop(rgb, face.box))
    samples = [Sample(engine.encode(rgb, face), crop, quality, name)]
    if mirror:
        flipped = np.ascontiguousarray(rgb[:, ::-1])
        width = rgb.shape[1]
        top, right, bottom, left = face.box
        mirrored_face: DetectedFace = engine.locate(flipped, (top, width - left, bottom,
                                                              width - right))
        samples.append(Sample(engine.encode(flipped, mirrored_face), crop, quality, name,
                              mirrored=True))
    return samples
