"""Turning a photo into enrolment samples, or refusing it with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from device.errors import BadInput
from device.imaging import encode_jpeg, load_rgb
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


def quality_problem(q: FaceQuality, policy: QualityPolicy) -> str | None:
    """Why a face is not good enough to enrol, in words for the screen; None if it is."""
    if q.size_px < policy.min_face_px:
        return f"face too small ({q.size_px} px, need {policy.min_face_px}): come closer"
    if q.brightness < policy.min_brightness:
        return "too dark"
    if q.sharpness < policy.min_sharpness:
        return "blurred"
    if abs(q.yaw) > policy.max_yaw:
        return "face not frontal"
    return None


def samples_from_image(engine: FaceEngine, source: str | Path | bytes | np.ndarray, *,
                       largest: bool = False, policy: QualityPolicy = DEFAULT_POLICY,
                       mirror: bool = True) -> list[Sample]:
    """The face's sample, plus its mirror image: one ID photo then covers both sides."""
    name = "frame" if isinstance(source, np.ndarray) else (
        "image" if isinstance(source, bytes) else str(source))
    rgb = source if isinstance(source, np.ndarray) else load_rgb(source)
    faces = engine.detect(rgb, max_side=PHOTO_DETECT_MAX_SIDE)
    if not faces:
        raise BadInput(f"{name}: no face found")
    if len(faces) > 1 and not largest:
        raise BadInput(f"{name}: {len(faces)} faces found; use a photo of one person "
                       "(or take the largest)")
    face = faces[0]
    quality = engine.quality(rgb, face)
    problem = quality_problem(quality, policy)
    if problem:
        raise BadInput(f"{name}: {problem}")
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
