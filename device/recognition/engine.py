"""Face detection and encoding (dlib's models, from device/recognition/models.py).

Detection runs on a downscaled copy; landmarks and the 128-d encoding come from the
full-resolution image, so a small detection frame costs no accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import dlib
import numpy as np

from device.recognition import models

Box = tuple[int, int, int, int]  # top, right, bottom, left (face_recognition's order)


@dataclass(frozen=True)
class DetectedFace:
    box: Box
    landmarks: np.ndarray  # 5x2 (x, y) from dlib's 5-point model, full-resolution pixels
    shape: object = field(default=None, compare=False, repr=False)  # dlib's landmark object
    # Engines that align on five points (YuNetMobileFaceNet; `landmarks` then keeps dlib's
    # layout, see mobileface.py): eye centres, nose tip, mouth corners in ArcFace order
    # (image-left eye first), 5x2 full-resolution pixels; and the detector's confidence.
    # None from the dlib engine.
    points5: np.ndarray | None = field(default=None, compare=False, repr=False)
    score: float | None = field(default=None, compare=False)

    @property
    def width(self) -> int:
        return self.box[1] - self.box[3]

    @property
    def height(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def area(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class FaceQuality:
    size_px: int
    sharpness: float  # variance of the Laplacian on a 112-px-wide grey crop
    brightness: float  # mean grey level 0..255
    yaw: float  # nose offset from the eyes' midpoint, in eye distances (0 = frontal)


# Door frames: HOG on a copy whose longest side is 320 px, upsampled once (~20 ms), and only
# when that finds nothing, again on a 480-px copy (~40 ms). Together they find every face
# the plain pipeline (640 px, upsampled once: ~75 ms) recognises in the sample frames, down
# to 52 px wide; the 320-px pass alone missed three, one of them 90 px wide (HOG is
# unreliable near its 80-px window).
DOOR_DETECT_MAX_SIDE = 320
DOOR_RETRY_MAX_SIDE = 480
PHOTO_DETECT_MAX_SIDE = 1024  # enrolment and identify: people far from the camera too


class FaceEngine:
    """Stateless wrapper of the dlib models; safe to share between threads."""

    #: Which model made an encoding: encodings of different models are never compared.
    model_id: str = "dlib-resnet-v1"
    #: The length of an encoding.
    dim: int = 128
    #: A photo's mirror image is enrolled as a second sample (docs/thresholds.md).
    mirror_samples: bool = True

    def __init__(self, detect_max_side: int = DOOR_DETECT_MAX_SIDE, upsample: int = 1,
                 retry_max_side: int = DOOR_RETRY_MAX_SIDE) -> None:
        self.detect_max_side = detect_max_side
        self.upsample = upsample
        self.retry_max_side = retry_max_side

    def detect(self, rgb: np.ndarray, max_side: int | None = None,
               upsample: int | None = None) -> list[DetectedFace]:
        """Faces, largest first; boxes and landmarks in the coordinates of `rgb`."""
        return self._detect(rgb, max_side or self.detect_max_side, upsample)

    def acquire(self, rgb: np.ndarray) -> tuple[list[DetectedFace], int]:
        """Faces in a frame where nobody is followed yet, and the copy size that found
        them: `detect_max_side` first, `retry_max_side` when that finds nothing (small or
        borderline faces). A tracker then keeps to that size: boxes from two HOG scales
        jitter, which the liveness motion cue would read as a face moving."""
        faces = self._detect(rgb, self.detect_max_side, None)
        if faces or self.retry_max_side <= self.detect_max_side \
                or max(rgb.shape[:2]) <= self.detect_max_side:
            return faces, self.detect_max_side
        return self._detect(rgb, self.retry_max_side, None), self.retry_max_side

    def _detect(self, rgb: np.ndarray, limit: int, upsample: int | None) -> list[DetectedFace]:
        height, width = rgb.shape[:2]
        scale = min(1.0, limit / max(height, width))
        small = rgb if scale == 1.0 else cv2.resize(
            rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        rects = models.detector()(small, self.upsample if upsample is None else upsample)
        faces = []
        for rect in rects:
            box = _clip((round(rect.top() / scale), round(rect.right() / scale),
                         round(rect.bottom() / scale), round(rect.left() / scale)), width, height)
            if box[1] - box[3] < 8 or box[2] - box[0] < 8:
                continue
            faces.append(self.locate(rgb, box))
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    @staticmethod
    def locate(rgb: np.ndarray, box: Box) -> DetectedFace:
        """A face at a known box (a detection, or a tracked box) with its landmarks."""
        top, right, bottom, left = box
        shape = models.landmarks_5()(rgb, dlib.rectangle(left, top, right, bottom))
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        return DetectedFace(box, points, shape)

    @staticmethod
    def encode(rgb: np.ndarray, face: DetectedFace, jitters: int = 1) -> np.ndarray:
        """The 128-d encoding: dlib's ResNet run with numpy (~7 ms), or dlib's own when
        jittered (its random jitter is not reproduced; ~70 ms an encoding, times jitters)."""
        if jitters <= 1:
            return models.face_net().encode(rgb, face.shape)
        return np.array(models.encoder().compute_face_descriptor(rgb, face.shape, jitters))

    @staticmethod
    def quality(rgb: np.ndarray, face: DetectedFace) -> FaceQuality:
        top, right, bottom, left = face.box
        crop = cv2.cvtColor(rgb[top:bottom, left:right], cv2.COLOR_RGB2GRAY)
        scale = 112 / max(crop.shape[1], 1)
        crop = cv2.resize(crop, (112, max(1, round(crop.shape[0] * scale))))
        sharpness = float(cv2.Laplacian(crop, cv2.CV_64F).var())
        p = face.landmarks
        eye_a, eye_b, nose = (p[0] + p[1]) / 2, (p[2] + p[3]) / 2, p[4]
        eye_distance = float(np.linalg.norm(eye_a - eye_b)) or 1.0
        yaw = float((nose[0] - (eye_a[0] + eye_b[0]) / 2) / eye_distance)
        return FaceQuality(min(face.width, face.height), sharpness, float(crop.mean()), yaw)

    @staticmethod
    def crop(rgb: np.ndarray, box: Box, margin: float = 0.3, max_side: int = 200) -> np.ndarray:
        """The face with some context around it, for the screen and the alert list."""
        top, right, bottom, left = box
        height, width = rgb.shape[:2]
        dy, dx = int((bottom - top) * margin), int((right - left) * margin)
        region = rgb[max(0, top - dy):min(height, bottom + dy),
                     max(0, left - dx):min(width, right + dx)]
        scale = min(1.0, max_side / max(region.shape[:2]))
        if scale < 1.0:
            region = cv2.resize(region, (round(region.shape[1] * scale),
                                         round(region.shape[0] * scale)),
                                interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(region)


def _clip(box: Box, width: int, height: int) -> Box:
    top, right, bottom, left = box
    return max(0, top), min(width, right), min(height, bottom), max(0, left)
