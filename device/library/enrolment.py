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
from device.library.bulk_import import photo_digest
from device.messages import problem_text
from device.recognition.engine import PHOTO_DETECT_MAX_SIDE, DetectedFace, FaceQuality
from device.recognition.engines import Engine
from device.recognition.face_models import DLIB_RESNET, MOBILEFACENET


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
    bystanders: int = 0  # smaller faces in the photo that were left out
    photo_digest: str | None = None  # of the photo's bytes (device/library/bulk_import.py)

    @property
    def gates(self) -> dict[str, float]:
        """Each enrolment gate's score, stored with the sample (people lists show them)."""
        q = self.quality
        return {"size_px": float(q.size_px), "sharpness": round(q.sharpness, 1),
                "brightness": round(q.brightness, 1), "yaw": round(q.yaw, 3),
                "bystanders": float(self.bystanders)}


#: A face at least this many times wider than every other one in a photo is the subject;
#: the others are bystanders (a news photo's edge). Closer in size, the photo is refused.
BYSTANDER_RATIO = 1.6
#: Or the face nearest the centre, when every other face is at least this many times
#: further from it and the centred one is at least this fraction of the largest one's width
#: (LFW's news photos: 98 of 1,184 have someone at the edge, most 1.0-1.6 times smaller).
CENTRED_RATIO = 2.0
CENTRED_MIN_SIZE = 0.8
#: Crops kept with each sample: enough margin and resolution for another engine to find
#: and align the face again when the library is re-encoded (device/library/engine_switch).
CROP_MARGIN = 0.5
CROP_MAX_SIDE = 320


DEFAULT_POLICY = QualityPolicy()
#: Gates per model, measured on LFW devtrain and the sample photos (docs/recognition.md):
#: MobileFaceNet's sharpness is taken on the aligned 112x112 face, where LFW's news JPEGs
#: measure 26 and more (0.5th percentile; median 140), a 1.5-px blur about 25 and a 3-px
#: blur 7-13; |yaw| reaches 0.46 at LFW's 99.5th percentile (about 40 degrees) and a face
#: at 80 degrees measures well over 1.
POLICIES: dict[str, QualityPolicy] = {
    MOBILEFACENET.model_id: QualityPolicy(min_face_px=64, min_sharpness=15.0,
                                          min_brightness=40.0, max_yaw=0.5),
    # dlib's sharpness is taken on the box crop at 112 px wide: LFW measures 13.8 at its
    # 0.5th percentile and 26.7 at its 5th (the old gate of 40 refused 14% of the gallery
    # as blurred), a 1.5-px blur 10-24, a 3-px blur 4-7; |yaw| (dlib's nose base) reaches
    # 0.36 at LFW's 99.5th percentile.
    DLIB_RESNET.model_id: QualityPolicy(min_face_px=64, min_sharpness=10.0,
                                        min_brightness=40.0, max_yaw=0.45),
}


def policy_for(model_id: str) -> QualityPolicy:
    return POLICIES.get(model_id, DEFAULT_POLICY)


__all__ = [
    "DEFAULT_POLICY",
    "POLICIES",
    "PhotoRefused",
    "QualityCode",
    "QualityPolicy",
    "QualityProblem",
    "Sample",
    "policy_for",
    "quality_problem",
    "refused",
    "samples_from_image",
]


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


def samples_from_image(engine: Engine, source: str | Path | bytes | np.ndarray, *,
                       largest: bool = False, policy: QualityPolicy | None = None,
                       mirror: bool | None = None) -> list[Sample]:
    """The face's sample, plus its mirror image if the engine wants one (`mirror` None):
    one ID photo then covers both sides."""
    name = "frame" if isinstance(source, np.ndarray) else (
        "image" if isinstance(source, bytes) else str(source))
    rgb = source if isinstance(source, np.ndarray) else load_rgb(source)
    digest = _digest_of(source)
    faces = engine.detect(rgb, max_side=PHOTO_DETECT_MAX_SIDE)
    if not faces:
        raise refused(name, QualityProblem(QualityCode.NO_FACE))
    face = faces[0]  # largest first
    bystanders = len(faces) - 1
    if bystanders and not largest:
        subject = _subject(faces, rgb.shape[1], rgb.shape[0])
        if subject is None:
            raise refused(name, QualityProblem(QualityCode.SEVERAL_FACES, len(faces), 1))
        face = subject
    quality = engine.quality(rgb, face)
    problem = quality_problem(quality, policy or policy_for(engine.model_id))
    if problem is not None:
        raise refused(name, problem)
    crop = encode_jpeg(engine.crop(rgb, face.box, margin=CROP_MARGIN, max_side=CROP_MAX_SIDE))
    samples = [Sample(engine.encode(rgb, face), crop, quality, name, bystanders=bystanders,
                      photo_digest=digest)]
    if engine.mirror_samples if mirror is None else mirror:
        flipped = np.ascontiguousarray(rgb[:, ::-1])
        width = rgb.shape[1]
        top, right, bottom, left = face.box
        mirrored_face: DetectedFace = engine.locate(flipped, (top, width - left, bottom,
                                                              width - right))
        samples.append(Sample(engine.encode(flipped, mirrored_face), crop, quality, name,
                              mirrored=True, bystanders=bystanders, photo_digest=digest))
    return samples


def _digest_of(source: str | Path | bytes | np.ndarray) -> str | None:
    if isinstance(source, np.ndarray):
        return None
    if isinstance(source, bytes):
        return photo_digest(source)
    try:
        return photo_digest(Path(source).read_bytes())
    except OSError:
        return None


def _subject(faces: list[DetectedFace], width: int, height: int) -> DetectedFace | None:
    """The photo's subject among several faces (largest first), or None when it is not
    clear: the clearly largest face, or the face clearly nearest the centre when it is not
    much smaller than the largest (a portrait with people at its edges: news photos)."""
    if all(faces[0].width >= BYSTANDER_RATIO * f.width for f in faces[1:]):
        return faces[0]

    def off_centre(f: DetectedFace) -> float:
        top, right, bottom, left = f.box
        return float(np.hypot((left + right) / 2 - width / 2, (top + bottom) / 2 - height / 2))
    by_centre = sorted(faces, key=off_centre)
    nearest, others = by_centre[0], by_centre[1:]
    if nearest.width >= CENTRED_MIN_SIZE * faces[0].width and all(
            CENTRED_RATIO * off_centre(nearest) <= off_centre(f) for f in others):
        return nearest
    return None
