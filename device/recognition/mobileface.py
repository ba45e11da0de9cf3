"""YuNet detection, 5-point alignment and MobileFaceNet 192-d embeddings (issue 14 item 1).

The same public methods as `FaceEngine` (engine.py), so the door can use either:

- detection: OpenCV's `FaceDetectorYN` (YuNet 2023mar) on a copy whose longest side is
  `max_side`; boxes and points are mapped back to the full-resolution image;
- alignment: a similarity transform of YuNet's five points onto the ArcFace 112x112
  template;
- embedding: MobileFaceNet (converted once from TFLite to ONNX, see
  scripts/convert_mobilefacenet.py) in `cv2.dnn`, on RGB (x - 127.5) / 128, L2-normalised;
  by default the mean of the face's and its mirror image's embeddings (measured with
  bench/openset.py, see `FLIP_AVERAGE`).

`DetectedFace.landmarks` keeps the door's 5-point layout that liveness and quality read
(`eye_distance_5` takes the midpoints of points 0-1 and 2-3, point 4 is the nose): dlib puts
two corners of each eye there, this engine puts each YuNet eye centre twice (0-1 the
image-right eye, 2-3 the image-left eye, as dlib orders them) and the nose tip at 4.
`DetectedFace.points5` holds YuNet's own five points, used for alignment.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import cv2
import numpy as np

from device.recognition.engine import (
    DOOR_DETECT_MAX_SIDE,
    Box,
    DetectedFace,
    FaceEngine,
    FaceQuality,
)
from device.recognition.weights import weight_file

DETECTOR_FILE = "face_detection_yunet_2023mar.onnx"
EMBEDDER_FILE = "mobilefacenet_192.onnx"

#: A door frame with nobody found on the 320-px copy is searched again at 640 px: YuNet
#: finds faces down to about 10 px on its input, so this is for people far from the door.
YUNET_RETRY_MAX_SIDE = 640
#: YuNet's confidence needed for a face. OpenCV Zoo's demo uses 0.9, which misses 24 of
#: 1,905 LFW photos (every 5th); 0.7 misses none of them and finds every face dlib's HOG
#: finds in the sample clip (there, real faces score 0.75-0.95), while hands holding a
#: microphone score 0.60-0.69 and stay out.
SCORE_THRESHOLD = 0.7
NMS_THRESHOLD = 0.3
TOP_K = 5000  # candidates kept before non-maximum suppression (OpenCV's default)
MIN_FACE_PX = 8  # smaller boxes are dropped, as the dlib engine does

#: `locate` searches a crop this much larger than the box on each side (box sides)...
LOCATE_PAD = 0.5
#: ...on a copy at most this big: a face there is still about 160 px wide.
LOCATE_MAX_SIDE = 320

ALIGNED_SIZE = 112
#: The standard ArcFace template: where the five points go in the 112x112 aligned face.
ARCFACE_TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                             [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float64)
#: Where YuNet puts the five points inside its own box, as fractions of the box's width
#: and height (the mean over the faces of the sample photos, faces/ and groups/): the
#: points of a box in which nothing is found, and of a face from another engine.
BOX_POINTS = np.array([[0.277, 0.380], [0.740, 0.379], [0.510, 0.577], [0.303, 0.728],
                       [0.714, 0.727]], dtype=np.float64)
INPUT_MEAN = 127.5
INPUT_SCALE = 1 / 128.0
EMBEDDING_DIM = 192
#: Embed the aligned face and its mirror image in one batch and average them (then
#: re-normalise). On LFW (bench/openset.py, 1,184 people) it raises DIR at FPIR 0.1% from
#: 0.638 to 0.706 and at 1% from 0.899 to 0.914, rank-1 from 0.978 to 0.981; it costs a
#: second embedding (about 17 ms instead of 9 on one core).
FLIP_AVERAGE = True

# YuNet's output row: box x, y, w, h, then five (x, y) points, then the score.
_BOX = slice(0, 4)
_POINTS = slice(4, 14)
_SCORE = 14
_OFFSET_MASK = np.array([1.0, 1.0, 0.0, 0.0] + [1.0] * 10)  # shift x, y and points, not w, h
# Indices in points5 (ArcFace order) of the image-left eye, image-right eye and nose tip.
_LEFT_EYE, _RIGHT_EYE, _NOSE = 0, 1, 2


class YuNetMobileFaceNet:
    """YuNet + MobileFaceNet with FaceEngine's methods. The OpenCV models are not
    thread-safe, so each is used under its own lock: one instance may be shared."""

    model_id: str = "yunet2023mar-mobilefacenet192"
    dim: int = EMBEDDING_DIM
    #: Each encoding averages the face and its mirror image already (FLIP_AVERAGE): a mirror
    #: sample would double the library for nothing (bench/openset.py: DIR@1% 0.914 with
    #: flip-averaging alone, 0.907 with a mirror sample and no averaging).
    mirror_samples: bool = False

    def __init__(self, detect_max_side: int = DOOR_DETECT_MAX_SIDE, upsample: int = 1,
                 retry_max_side: int = YUNET_RETRY_MAX_SIDE, *,
                 flip_average: bool = FLIP_AVERAGE,
                 score_threshold: float = SCORE_THRESHOLD) -> None:
        """`upsample` is accepted for FaceEngine's signature and ignored: YuNet has no
        upsampling pass. Raises ModelFileError when a model file is missing or wrong."""
        self.detect_max_side = detect_max_side
        self.upsample = upsample
        self.retry_max_side = retry_max_side
        self.flip_average = flip_average
        with _opencv_quiet():  # its "Targets are not supported" note is not an error
            self._detector = cv2.FaceDetectorYN.create(
                str(weight_file(DETECTOR_FILE)), "", (DOOR_DETECT_MAX_SIDE, DOOR_DETECT_MAX_SIDE),
                score_threshold, NMS_THRESHOLD, TOP_K)
        self._detector_lock = threading.Lock()
        self._net = cv2.dnn.readNetFromONNX(str(weight_file(EMBEDDER_FILE)))
        self._net_lock = threading.Lock()

    # detection ---------------------------------------------------------------------------

    def detect(self, rgb: np.ndarray, max_side: int | None = None,
               upsample: int | None = None) -> list[DetectedFace]:
        """Faces, largest first; boxes and points in the coordinates of `rgb`."""
        return self._detect(rgb, max_side or self.detect_max_side)

    def acquire(self, rgb: np.ndarray) -> tuple[list[DetectedFace], int]:
        """Faces in a frame where nobody is followed yet, and the copy size that found
        them: `detect_max_side` first, `retry_max_side` when that finds nothing."""
        faces = self._detect(rgb, self.detect_max_side)
        if faces or self.retry_max_side <= self.detect_max_side \
                or max(rgb.shape[:2]) <= self.detect_max_side:
            return faces, self.detect_max_side
        return self._detect(rgb, self.retry_max_side), self.retry_max_side

    def _detect(self, rgb: np.ndarray, limit: int) -> list[DetectedFace]:
        height, width = rgb.shape[:2]
        faces = [face for face in (_face(row, width, height)
                                   for row in self._rows(rgb, limit))
                 if face.width >= MIN_FACE_PX and face.height >= MIN_FACE_PX]
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces

    def _rows(self, rgb: np.ndarray, limit: int) -> np.ndarray:
        """YuNet's rows for `rgb`, run on a copy at most `limit` px, in `rgb`'s pixels."""
        height, width = rgb.shape[:2]
        scale = min(1.0, limit / max(height, width))
        small = rgb if scale == 1.0 else cv2.resize(
            rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
        with self._detector_lock:
            self._detector.setInputSize((bgr.shape[1], bgr.shape[0]))
            _, found = self._detector.detect(bgr)
        if found is None:
            return np.zeros((0, _SCORE + 1))
        rows = found.astype(np.float64)
        rows[:, :_SCORE] /= scale
        return rows

    def locate(self, rgb: np.ndarray, box: Box) -> DetectedFace:
        """A face at a known box (a tracked box, a mirrored one) with its points: YuNet on
        a padded crop around the box, the best-scoring face centred inside the box. With
        none there, the points are placed where YuNet puts them in its box (BOX_POINTS)."""
        top, right, bottom, left = box
        height, width = rgb.shape[:2]
        pad_y, pad_x = round((bottom - top) * LOCATE_PAD), round((right - left) * LOCATE_PAD)
        y0, x0 = max(0, top - pad_y), max(0, left - pad_x)
        region = rgb[y0:min(height, bottom + pad_y), x0:min(width, right + pad_x)]
        rows = self._rows(np.ascontiguousarray(region), LOCATE_MAX_SIDE) if region.size \
            else np.zeros((0, _SCORE + 1))
        rows[:, :_SCORE] += np.tile((x0, y0), _SCORE // 2) * _OFFSET_MASK
        inside = [row for row in rows if _centre_inside(row, box)]
        if not inside:
            return _face_from_points(box, _box_points(box), None)
        best = max(inside, key=lambda row: row[_SCORE])
        return _face_from_points(box, best[_POINTS].reshape(5, 2), float(best[_SCORE]))

    # embedding ---------------------------------------------------------------------------

    def encode(self, rgb: np.ndarray, face: DetectedFace, jitters: int = 1) -> np.ndarray:
        """The 192-d embedding, L2-normalised float64. `jitters` is accepted for
        FaceEngine's signature and ignored (the mirror-image average replaces it)."""
        return self.embed(align(rgb, _points5(face)))

    def embed(self, aligned: np.ndarray, flip_average: bool | None = None) -> np.ndarray:
        """The embedding of an aligned 112x112 RGB face; `flip_average` None: the engine's."""
        flip = self.flip_average if flip_average is None else flip_average
        faces = [aligned, aligned[:, ::-1]] if flip else [aligned]
        blob = ((np.stack(faces).astype(np.float32) - INPUT_MEAN) * INPUT_SCALE)
        blob = np.ascontiguousarray(blob.transpose(0, 3, 1, 2))
        with self._net_lock:
            self._net.setInput(blob)
            out = self._net.forward().astype(np.float64)
        rows = out / np.linalg.norm(out, axis=1, keepdims=True)
        return _normalised(rows.mean(axis=0))

    # quality -----------------------------------------------------------------------------

    def quality(self, rgb: np.ndarray, face: DetectedFace) -> FaceQuality:
        """Sharpness and brightness of the aligned 112x112 grey face; yaw from the five
        points as the dlib engine defines it; size_px the box's smaller side."""
        points = _points5(face)
        grey = cv2.cvtColor(align(rgb, points, cv2.BORDER_REPLICATE), cv2.COLOR_RGB2GRAY)
        sharpness = float(cv2.Laplacian(grey, cv2.CV_64F).var())
        return FaceQuality(min(face.width, face.height), sharpness, float(grey.mean()),
                           yaw(points))

    crop = staticmethod(FaceEngine.crop)


@contextlib.contextmanager
def _opencv_quiet() -> Iterator[None]:
    """OpenCV's own warnings off while a model loads: a CLI error stays one line."""
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(level)


def align(rgb: np.ndarray, points5: np.ndarray,
          border: int = cv2.BORDER_CONSTANT) -> np.ndarray:
    """The 112x112 RGB face: the similarity transform (least squares, Umeyama) that takes
    the five points closest to ARCFACE_TEMPLATE."""
    return cv2.warpAffine(rgb, similarity(points5, ARCFACE_TEMPLATE),
                          (ALIGNED_SIZE, ALIGNED_SIZE), flags=cv2.INTER_LINEAR,
                          borderMode=border)


def similarity(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2x3 rotation + uniform scale + translation taking `source` points nearest to
    `target` in least squares (Umeyama 1991); a translation when the points coincide."""
    src, dst = source.astype(np.float64), target.astype(np.float64)
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    variance = float((src_c ** 2).sum()) / len(src)
    if variance == 0.0:
        return np.hstack([np.eye(2), (dst_mean - src_mean)[:, None]])
    u, singular, vt = np.linalg.svd(dst_c.T @ src_c / len(src))
    sign = np.array([1.0, -1.0 if np.linalg.det(u) * np.linalg.det(vt) < 0 else 1.0])
    rotation = u @ np.diag(sign) @ vt
    scale = float((singular * sign).sum()) / variance
    return np.hstack([scale * rotation, (dst_mean - scale * rotation @ src_mean)[:, None]])


def yaw(points5: np.ndarray) -> float:
    """The nose tip's offset from the eyes' midpoint, in eye distances (0 = frontal)."""
    left, right, nose = points5[_LEFT_EYE], points5[_RIGHT_EYE], points5[_NOSE]
    eye_distance = float(np.linalg.norm(left - right)) or 1.0
    return float((nose[0] - (left[0] + right[0]) / 2) / eye_distance)


def door_landmarks(points5: np.ndarray) -> np.ndarray:
    """The door's 5-point layout from YuNet's points: image-right eye twice, image-left eye
    twice, nose tip (so eye_distance_5 is the distance between the eye centres)."""
    p = points5
    return np.array([p[_RIGHT_EYE], p[_RIGHT_EYE], p[_LEFT_EYE], p[_LEFT_EYE], p[_NOSE]],
                    dtype=np.float64)


def _face(row: np.ndarray, width: int, height: int) -> DetectedFace:
    x, y, w, h = row[_BOX]
    box = (max(0, round(y)), min(width, round(x + w)), min(height, round(y + h)),
           max(0, round(x)))
    return _face_from_points(box, row[_POINTS].reshape(5, 2), float(row[_SCORE]))


def _face_from_points(box: Box, points5: np.ndarray, score: float | None) -> DetectedFace:
    points = np.array(points5, dtype=np.float64)
    return DetectedFace(box, door_landmarks(points), points5=points, score=score)


def _points5(face: DetectedFace) -> np.ndarray:
    """The face's five points; a face from another engine gets them from its box."""
    return face.points5 if face.points5 is not None else _box_points(face.box)


def _box_points(box: Box) -> np.ndarray:
    top, right, bottom, left = box
    return np.array([left, top]) + BOX_POINTS * np.array([right - left, bottom - top])


def _centre_inside(row: np.ndarray, box: Box) -> bool:
    x, y, w, h = row[_BOX]
    top, right, bottom, left = box
    return bool(left <= x + w / 2 <= right and top <= y + h / 2 <= bottom)


def _normalised(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
