"""YuNet + MobileFaceNet (device/recognition/mobileface.py) on the real sample photos and
video, and the model files' checks (device/recognition/weights.py)."""

from __future__ import annotations

import itertools
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from device.errors import QualityCode
from device.imaging import load_rgb
from device.library.enrolment import DEFAULT_POLICY, quality_problem
from device.liveness.landmarks import eye_distance_5
from device.recognition import weights
from device.recognition.engine import DetectedFace, FaceEngine
from device.recognition.weights import EXPECTED, ModelFileError, weight_file

pytestmark = pytest.mark.slow

PIANO = (150, 20, 260, 120)  # top, left, bottom, right: where Alex Lacamoire sits, frames 0-19


@pytest.fixture(scope="module")
def engine():
    """The engine; skipped only when OpenCV lacks the runtime (FaceDetectorYN, dnn)."""
    if not hasattr(cv2, "FaceDetectorYN") or not hasattr(cv2, "dnn"):
        pytest.skip("this OpenCV has no FaceDetectorYN / dnn: the engine's runtime is absent")
    from device.recognition.mobileface import YuNetMobileFaceNet

    return YuNetMobileFaceNet()


def photos(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "faces").glob("*/*"))


def clip_frame(data_dir: Path, index: int) -> np.ndarray:
    capture = cv2.VideoCapture(str(data_dir / "video" / "short_hamilton_clip.mp4"))
    capture.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, bgr = capture.read()
    capture.release()
    assert ok
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def largest(engine, rgb: np.ndarray) -> DetectedFace:
    faces = engine.detect(rgb, max_side=1024)
    assert faces
    return faces[0]


# --- detection ---------------------------------------------------------------------------

def test_one_face_in_each_sample_photo_with_the_door_layout(data_dir: Path, engine) -> None:
    for path in photos(data_dir):
        rgb = load_rgb(path)
        faces = engine.detect(rgb, max_side=1024)
        assert len(faces) == 1, path.name
        face = faces[0]
        top, right, bottom, left = face.box
        assert 0 <= left < right <= rgb.shape[1] and 0 <= top < bottom <= rgb.shape[0]
        assert face.points5 is not None and face.score is not None and face.score >= 0.7
        p, d = face.points5, face.landmarks
        assert (left <= p[:, 0]).all() and (p[:, 0] <= right).all(), path.name
        # The door's layout: image-right eye twice, image-left eye twice, nose tip.
        assert p[0, 0] < p[1, 0]  # ArcFace order: image-left eye first
        np.testing.assert_array_equal(d, np.array([p[1], p[1], p[0], p[0], p[2]]))
        assert eye_distance_5(d) == pytest.approx(float(np.linalg.norm(p[0] - p[1])))


@pytest.mark.parametrize(("name", "count"), [("two_people.jpg", 2), ("kit_with_rose.jpg", 2),
                                              ("obama_and_biden.jpg", 3),
                                              ("obama_32bit_rgba.png", 1)])
def test_every_face_of_the_group_photos_largest_first(data_dir: Path, engine, name: str,
                                                     count: int) -> None:
    faces = engine.detect(load_rgb(data_dir / "groups" / name), max_side=1024)
    assert len(faces) == count
    assert [f.area for f in faces] == sorted((f.area for f in faces), reverse=True)


def test_lin_manuel_miranda_in_the_clip_is_found_and_recognised(data_dir: Path,
                                                                engine) -> None:
    lin = load_rgb(data_dir / "faces" / "lin_manuel_miranda" / "lin_1.png")
    enrolled = engine.encode(lin, largest(engine, lin))
    others = [engine.encode(load_rgb(p), largest(engine, load_rgb(p)))
              for p in photos(data_dir) if p.parent.name != "lin_manuel_miranda"]
    rgb = clip_frame(data_dir, 150)
    faces, side = engine.acquire(rgb)
    assert faces and side == engine.detect_max_side  # no retry for a 90-px face
    probe = engine.encode(rgb, faces[0])
    mine = float(np.linalg.norm(probe - enrolled))
    assert mine < min(float(np.linalg.norm(probe - other)) for other in others)


@pytest.mark.parametrize("index", [3, 12, 18])
def test_alex_lacamoire_at_the_piano_is_found(data_dir: Path, engine, index: int) -> None:
    """A 25-px face at the far left of the clip's first frames, which HOG does not find."""
    top, left, bottom, right = PIANO
    at_piano = [f for f in engine.acquire(clip_frame(data_dir, index))[0]
                if left <= f.box[3] and f.box[1] <= right
                and top <= f.box[0] and f.box[2] <= bottom]
    assert len(at_piano) == 1 and at_piano[0].width >= 20


def test_a_frame_with_nobody_is_searched_again_at_640(engine, monkeypatch) -> None:
    sides = []
    real = engine._detect

    def recording(image, side):
        sides.append(side)
        return real(image, side)

    monkeypatch.setattr(engine, "_detect", recording)
    assert engine.acquire(np.zeros((480, 640, 3), np.uint8)) == ([], 640)
    assert sides == [320, 640]
    sides.clear()
    assert engine.acquire(np.zeros((240, 320, 3), np.uint8)) == ([], 320)
    assert sides == [320]  # a frame no larger than the first copy: nothing to retry


def test_locate_finds_the_face_at_a_tracked_box_or_estimates_its_points(data_dir: Path,
                                                                       engine) -> None:
    rgb = load_rgb(data_dir / "faces" / "barack_obama" / "obama_1.jpg")
    face = largest(engine, rgb)
    top, right, bottom, left = face.box
    shifted = (top + 6, right + 6, bottom + 6, left + 6)  # a tracker's box, a little off
    located = engine.locate(rgb, shifted)
    assert located.box == shifted and located.score is not None
    assert located.points5 is not None and face.points5 is not None
    # YuNet's points move by up to ~20% of the eye distance between input scales.
    eye = float(np.linalg.norm(face.points5[0] - face.points5[1]))
    assert np.abs(located.points5 - face.points5).max() < 0.25 * eye
    blank = np.full_like(rgb, 128)
    guessed = engine.locate(blank, face.box)
    assert guessed.score is None and guessed.points5 is not None
    assert (guessed.points5[:, 0] > left).all() and (guessed.points5[:, 0] < right).all()


# --- embeddings --------------------------------------------------------------------------

def test_same_person_closer_than_different_people(data_dir: Path, engine) -> None:
    encoded = []
    for path in photos(data_dir):
        rgb = load_rgb(path)
        encoding = engine.encode(rgb, largest(engine, rgb))
        assert encoding.shape == (engine.dim,) == (192,) and encoding.dtype == np.float64
        assert float(np.linalg.norm(encoding)) == pytest.approx(1.0)
        encoded.append((path.parent.name, encoding))
    same: list[float] = []
    different: list[float] = []
    for (a, x), (b, y) in itertools.combinations(encoded, 2):
        (same if a == b else different).append(float(np.linalg.norm(x - y)))
    assert max(same) < min(different)


def test_alignment_puts_the_points_on_the_arcface_template(data_dir: Path, engine) -> None:
    from device.recognition.mobileface import ALIGNED_SIZE, ARCFACE_TEMPLATE, align, similarity

    rgb = load_rgb(data_dir / "faces" / "joe_biden" / "biden_1.jpg")
    face = largest(engine, rgb)
    assert face.points5 is not None
    matrix = similarity(face.points5, ARCFACE_TEMPLATE)
    moved = face.points5 @ matrix[:, :2].T + matrix[:, 2]
    assert np.abs(moved - ARCFACE_TEMPLATE).max() < 4.0  # a real face is not the template
    assert align(rgb, face.points5).shape == (ALIGNED_SIZE, ALIGNED_SIZE, 3)
    # A known rotation + scale + translation is recovered exactly.
    angle, scale = 0.3, 1.7
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)],
                                 [np.sin(angle), np.cos(angle)]])
    source = ARCFACE_TEMPLATE @ rotation.T + (40.0, -12.0)
    np.testing.assert_allclose(similarity(source, ARCFACE_TEMPLATE)[:, :2] @ rotation,
                               np.eye(2), atol=1e-9)


def test_the_mirror_image_is_the_same_face(data_dir: Path, engine) -> None:
    rgb = load_rgb(data_dir / "faces" / "kit_harington" / "kit_1.jpg")
    face = largest(engine, rgb)
    flipped = np.ascontiguousarray(rgb[:, ::-1])
    width = rgb.shape[1]
    top, right, bottom, left = face.box
    mirrored = engine.locate(flipped, (top, width - left, bottom, width - right))
    assert face.points5 is not None and mirrored.points5 is not None
    # Flipping swaps the eyes (and the mouth corners): image-left stays first.
    expected = np.column_stack([width - face.points5[:, 0], face.points5[:, 1]])[[1, 0, 2, 4, 3]]
    eye = float(np.linalg.norm(face.points5[0] - face.points5[1]))
    assert np.abs(mirrored.points5 - expected).max() < 0.25 * eye
    q, mq = engine.quality(rgb, face), engine.quality(flipped, mirrored)
    assert mq.yaw == pytest.approx(-q.yaw, abs=0.05)
    distance = float(np.linalg.norm(engine.encode(rgb, face) - engine.encode(flipped, mirrored)))
    assert distance < 0.6


def test_flip_averaging_is_the_mean_of_the_face_and_its_flip(data_dir: Path, engine) -> None:
    from device.recognition.mobileface import align

    rgb = load_rgb(data_dir / "faces" / "rose_leslie" / "rose_1.jpg")
    face = largest(engine, rgb)
    assert face.points5 is not None
    aligned = align(rgb, face.points5)
    one = engine.embed(aligned, flip_average=False)
    other = engine.embed(np.ascontiguousarray(aligned[:, ::-1]), flip_average=False)
    mean = (one + other) / np.linalg.norm(one + other)
    np.testing.assert_allclose(engine.embed(aligned, flip_average=True), mean, atol=1e-6)
    assert engine.flip_average  # the default (bench/openset.py measured it)
    np.testing.assert_allclose(engine.encode(rgb, face), mean, atol=1e-6)
    assert float(one @ other) > 0.8


def test_a_face_from_another_engine_is_encoded_from_its_box(data_dir: Path, engine) -> None:
    rgb = load_rgb(data_dir / "faces" / "barack_obama" / "obama_1.jpg")
    mine = largest(engine, rgb)
    foreign = DetectedFace(mine.box, mine.landmarks)  # no points5, as the dlib engine makes
    distance = float(np.linalg.norm(engine.encode(rgb, foreign) - engine.encode(rgb, mine)))
    assert distance < 0.8


def test_threads_share_one_engine(data_dir: Path, engine) -> None:
    images = [load_rgb(p) for p in photos(data_dir)[:6]]

    def work(rgb: np.ndarray) -> np.ndarray:
        return engine.encode(rgb, largest(engine, rgb))

    alone = [work(rgb) for rgb in images]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(work, images * 3))
    for i, encoding in enumerate(together):
        np.testing.assert_allclose(encoding, alone[i % len(images)], atol=1e-6)


# --- quality -----------------------------------------------------------------------------

def test_a_20_px_face_is_too_small(data_dir: Path, engine) -> None:
    rgb = load_rgb(data_dir / "faces" / "barack_obama" / "obama_1.jpg")
    face = largest(engine, rgb)
    scale = 20 / face.width
    small = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA)
    top, right, bottom, left = (round(v * scale) for v in face.box)
    found = engine.detect(small) or [engine.locate(small, (top, right, bottom, left))]
    quality = engine.quality(small, found[0])
    assert quality.size_px <= 22
    problem = quality_problem(quality, DEFAULT_POLICY)
    assert problem is not None and problem.code == QualityCode.TOO_SMALL


def test_sharpness_is_measured_on_the_aligned_face(data_dir: Path, engine) -> None:
    rgb = load_rgb(data_dir / "faces" / "rose_leslie" / "rose_2.jpg")
    face = largest(engine, rgb)
    sharp = engine.quality(rgb, face)
    blurred = engine.quality(cv2.GaussianBlur(rgb, (0, 0), 4), face)
    assert sharp.sharpness > DEFAULT_POLICY.min_sharpness > blurred.sharpness
    assert abs(sharp.yaw) < DEFAULT_POLICY.max_yaw and 40 < sharp.brightness < 220
    assert sharp.size_px == min(face.width, face.height)


# --- model ids ---------------------------------------------------------------------------

def test_model_ids_and_dimensions(data_dir: Path, engine) -> None:
    assert (FaceEngine.model_id, FaceEngine.dim) == ("dlib-resnet-v1", 128)
    assert (engine.model_id, engine.dim) == ("yunet2023mar-mobilefacenet192", 192)
    rgb = load_rgb(data_dir / "faces" / "joe_biden" / "biden_2.jpg")
    dlib_engine = FaceEngine()
    assert dlib_engine.encode(rgb, dlib_engine.detect(rgb, 1024)[0]).shape == (128,)


# --- model files -------------------------------------------------------------------------

@pytest.fixture
def weights_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of weights/, which weight_file then reads."""
    for name in EXPECTED:
        shutil.copyfile(weights.WEIGHTS_DIR / name, tmp_path / name)
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path)
    return tmp_path


def test_the_shipped_model_files_pass() -> None:
    for name in EXPECTED:
        assert weight_file(name).stat().st_size == EXPECTED[name].size


def test_a_truncated_model_file_is_refused_in_one_line(weights_copy: Path) -> None:
    name = "face_detection_yunet_2023mar.onnx"
    path = weights_copy / name
    path.write_bytes(path.read_bytes()[:100_000])
    with pytest.raises(ModelFileError) as refused:
        weight_file(name)
    message = str(refused.value)
    assert "\n" not in message and name in message and "100,000 bytes" in message
    assert "truncated or wrong file" in message


def test_a_wrong_file_is_refused_by_its_sha256(weights_copy: Path) -> None:
    name = "mobilefacenet_192.onnx"
    path = weights_copy / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte different
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError) as refused:
        weight_file(name)
    message = str(refused.value)
    assert "\n" not in message and f"expected {EXPECTED[name].sha256[:12]}..." in message
    assert message.startswith(f"model file {path}: sha256 ")
    with pytest.raises(ModelFileError, match="bytes, expected"):  # another model's file
        shutil.copyfile(weights_copy / "mobilefacenet_192.tflite", path)
        weight_file(name)


def test_the_engine_is_not_built_on_a_bad_file(weights_copy: Path, engine) -> None:
    (weights_copy / "mobilefacenet_192.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="11 bytes"):
        type(engine)()
    (weights_copy / "mobilefacenet_192.onnx").unlink()
    with pytest.raises(ModelFileError, match="missing"):
        weight_file("mobilefacenet_192.onnx")
    with pytest.raises(ModelFileError, match="not a FaceGate model file"):
        weight_file("other.onnx")
