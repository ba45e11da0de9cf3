"""The numpy ResNet must give dlib's face descriptors, and load only a whole model file.

Tolerance: on the 26 sample faces our float32 descriptors differ from dlib's
compute_face_descriptor by at most 4.8e-7 per component (float32 summation order; the
components are ~0.1 and a float32 ulp there is ~1e-8). TOLERANCE = 1e-5 leaves 20x
headroom across BLAS kernels, and bounds the change of any distance by
sqrt(128) * 2 * 1e-5 < 3e-4, far below the 0.55 threshold's margins on these photos;
the decisions are asserted identical anyway.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from device.imaging import load_rgb
from device.recognition import models, resnet
from device.recognition.engine import FaceEngine

TOLERANCE = 1e-5
THRESHOLD = 0.55


@pytest.fixture(scope="module")
def model_path() -> Path:
    import face_recognition_models

    return Path(face_recognition_models.face_recognition_model_location())


@pytest.fixture(scope="module")
def net(model_path: Path) -> resnet.FaceNet:
    return resnet.load(model_path)


@pytest.fixture(scope="module")
def faces(data_dir: Path) -> list[tuple[str, np.ndarray, object]]:
    """(photo name, image, dlib landmarks) of every face the door engine finds."""
    engine = FaceEngine()
    found = []
    for path in sorted([*data_dir.glob("faces/*/*"), *data_dir.glob("groups/*")]):
        rgb = load_rgb(path)
        found += [(path.name, rgb, face.shape) for face in engine.detect(rgb)]
    assert len(found) >= 20
    return found


@pytest.fixture(scope="module")
def dlib_descriptors(faces: list) -> np.ndarray:
    encoder = models.encoder()
    return np.array([encoder.compute_face_descriptor(rgb, shape, 1) for _, rgb, shape in faces])


@pytest.fixture(scope="module")
def our_descriptors(net: resnet.FaceNet, faces: list) -> np.ndarray:
    return np.array([net.encode(rgb, shape) for _, rgb, shape in faces])


def _distances(vectors: np.ndarray) -> np.ndarray:
    return np.linalg.norm(vectors[:, None] - vectors[None], axis=-1)


def test_descriptors_match_dlib(our_descriptors: np.ndarray,
                                dlib_descriptors: np.ndarray) -> None:
    assert our_descriptors.dtype == np.float64 and our_descriptors.shape[1] == 128
    difference = np.abs(our_descriptors - dlib_descriptors).max(axis=1)
    assert difference.max() < TOLERANCE, difference


def test_decisions_match_dlib(our_descriptors: np.ndarray,
                              dlib_descriptors: np.ndarray) -> None:
    ours, theirs = _distances(our_descriptors), _distances(dlib_descriptors)
    assert np.abs(ours - theirs).max() < 2 * TOLERANCE
    np.testing.assert_array_equal(ours <= THRESHOLD, theirs <= THRESHOLD)
    # the photos do contain both kinds of pair, so the comparison means something
    upper = theirs[np.triu_indices(len(theirs), 1)]
    assert (upper <= THRESHOLD).any() and (upper > THRESHOLD).any()


def test_chip_is_the_one_dlib_encodes(faces: list) -> None:
    """get_face_chip(size=150, padding=0.25) is exactly compute_face_descriptor's chip."""
    encoder = models.encoder()
    _, rgb, shape = faces[0]
    from_image = np.array(encoder.compute_face_descriptor(rgb, shape, 1))
    from_chip = np.array(encoder.compute_face_descriptor(resnet.face_chip(rgb, shape)))
    np.testing.assert_array_equal(from_image, from_chip)


def test_batch_and_threads_give_the_same_descriptors(net: resnet.FaceNet, faces: list,
                                                     our_descriptors: np.ndarray) -> None:
    chips = np.stack([resnet.face_chip(rgb, shape) for _, rgb, shape in faces[:6]])
    np.testing.assert_allclose(net.descriptors(chips), our_descriptors[:6], rtol=0, atol=1e-6)
    results: dict[int, np.ndarray] = {}

    def run(index: int) -> None:
        results[index] = np.array([net.descriptor(chip) for chip in chips])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index in range(2):
        np.testing.assert_array_equal(results[index], our_descriptors[:6])


def test_rejects_bad_chips(net: resnet.FaceNet) -> None:
    with pytest.raises(ValueError, match="150"):
        net.descriptor(np.zeros((100, 100, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        net.descriptor(np.zeros((150, 150, 3), np.float32))


def test_truncated_model_is_a_clear_error(model_path: Path, tmp_path: Path) -> None:
    data = model_path.read_bytes()
    broken = tmp_path / "model.dat"
    # inside the layer headers, inside tensors, and one byte short of the end
    for cut in [*range(1, 400, 13), 300_000, len(data) // 2, len(data) - 1]:
        broken.write_bytes(data[:cut])
        with pytest.raises(resnet.ModelTruncatedError, match="truncated"):
            resnet.load(broken)


def test_wrong_or_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    import face_recognition_models

    landmarks = face_recognition_models.pose_predictor_five_point_model_location()
    with pytest.raises(resnet.ModelFormatError, match="not a dlib face recognition model"):
        resnet.load(landmarks, )
    empty = tmp_path / "empty.dat"
    empty.write_bytes(b"")
    with pytest.raises(resnet.ModelFormatError, match="empty"):
        resnet.load(empty, )
    with pytest.raises(resnet.ModelFormatError, match="cannot read"):
        resnet.load(tmp_path / "missing.dat")
    extra = tmp_path / "extra.dat"
    extra.write_bytes(Path(face_recognition_models.face_recognition_model_location())
                      .read_bytes() + b"\0")
    with pytest.raises(resnet.ModelFormatError, match="trailing"):
        resnet.load(extra, )


def test_a_changed_weight_changes_the_descriptor(
        model_path: Path, tmp_path: Path, faces: list, our_descriptors: np.ndarray) -> None:
    """The weights really come from the file: negate the first 7x7 filter in a copy."""
    data = model_path.read_bytes()
    chip = resnet.face_chip(faces[0][1], faces[0][2])
    first_conv = resnet.parse_dat(data)[1][0].arrays["w"]
    offset = first_conv.ctypes.data - np.frombuffer(data, np.uint8).ctypes.data
    patched = np.frombuffer(data, np.uint8).copy()
    weights = patched[offset:offset + first_conv[0].nbytes].view("<f4")
    weights *= -1
    copy = tmp_path / "model.dat"
    copy.write_bytes(patched.tobytes())
    changed = resnet.load(copy)
    assert np.abs(changed.descriptor(chip) - our_descriptors[0]).max() > 100 * TOLERANCE
