"""The compiled code scan: the k nearest codes, ties to the lower row, same as brute force."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from device.recognition import native

pytestmark = pytest.mark.skipif(native.code_scan() is None, reason="no C compiler here")


def brute(codes: np.ndarray, query: np.ndarray, k: int) -> list[tuple[int, int]]:
    d = ((codes.astype(np.int64) - query.astype(np.int64)) ** 2).sum(axis=1)
    return sorted(zip(d.tolist(), range(len(codes)), strict=True))[:k]


@pytest.fixture(scope="module")
def subtraction_form(tmp_path_factory: pytest.TempPathFactory) -> ctypes.CDLL:
    """The library built without the dot form, as on a CPU without VNNI."""
    path = tmp_path_factory.mktemp("plain") / "codescan.so"
    compiler = native._compiler()
    assert compiler is not None  # the module is skipped without one
    subprocess.run([compiler, "-O3", "-DFACEGATE_NO_DOT_FORM", "-shared", "-fPIC",
                    "-o", str(path), str(native.SOURCE)], check=True)
    library = native.bind(ctypes.CDLL(str(path)))
    assert library.facegate_uses_code_norms() == 0
    return library


@pytest.mark.parametrize("form", ["native", "subtraction"])
@pytest.mark.parametrize("dim", [128, 7, 1])
@pytest.mark.parametrize("k", [1, 5, 64, 300, 1000])
def test_k_nearest_with_ties_equal_brute_force(dim: int, k: int, form: str,
                                               subtraction_form: ctypes.CDLL) -> None:
    library = subtraction_form if form == "subtraction" else None
    rng = np.random.default_rng(dim * 1000 + k)
    codes = rng.integers(126, 131, (300, dim), dtype=np.uint8)  # ties everywhere
    for query in rng.integers(120, 136, (5, dim), dtype=np.uint8):
        distances, rows = native.nearest_codes(codes, native.code_norms(codes), query, k,
                                               library)
        got = sorted(zip(distances.tolist(), rows.tolist(), strict=True))
        assert got == brute(codes, query, k)


def test_the_extremes_of_the_code_range_do_not_overflow() -> None:
    codes = np.array([[0] * 128, [255] * 128, [128] * 128], dtype=np.uint8)
    for query in (np.full(128, 255, np.uint8), np.zeros(128, np.uint8)):
        got = native.nearest_codes(codes, native.code_norms(codes), query, 3)
        want = ((codes.astype(np.int64) - query) ** 2).sum(axis=1)
        assert sorted(zip(*map(np.ndarray.tolist, got), strict=True)) == sorted(
            zip(want.tolist(), range(3), strict=True))
    distances, rows = native.nearest_codes(codes, native.code_norms(codes),
                                           np.full(128, 255, np.uint8), 3)
    assert sorted(zip(distances.tolist(), rows.tolist(), strict=True)) == [
        (0, 1), (128 * 127**2, 2), (128 * 255**2, 0)]


def test_the_opencv_fallback_gives_the_same_distances() -> None:
    import cv2

    rng = np.random.default_rng(3)
    codes = rng.integers(0, 256, (2000, 128), dtype=np.uint8)
    query = rng.integers(0, 256, 128, dtype=np.uint8)
    d_cv, _ = cv2.batchDistance(query.reshape(1, -1), codes, cv2.CV_32S,
                                normType=cv2.NORM_L2SQR, K=50)
    distances, _ = native.nearest_codes(codes, native.code_norms(codes), query, 50)
    assert sorted(distances.tolist()) == sorted(d_cv[0].tolist())


def test_a_build_is_reused_and_a_changed_source_builds_anew(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEGATE_CACHE", str(tmp_path / "cache"))
    first = native.build()
    assert first is not None and first.parent == tmp_path / "cache"
    stamp = first.stat().st_mtime_ns
    assert native.build() == first and first.stat().st_mtime_ns == stamp
    changed = tmp_path / "codescan.c"
    changed.write_text(native.SOURCE.read_text() + "\n/* changed */\n")
    monkeypatch.setattr(native, "SOURCE", changed)
    second = native.build()
    assert second is not None and second != first
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        [first.name, second.name])  # nothing half-written left behind


def test_a_broken_source_or_no_compiler_is_no_library(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEGATE_CACHE", str(tmp_path))
    broken = tmp_path / "codescan.c"
    broken.write_text("this is not C")
    monkeypatch.setattr(native, "SOURCE", broken)
    assert native.build() is None
    assert [p.name for p in tmp_path.iterdir()] == ["codescan.c"]
    monkeypatch.setattr(native, "_compiler", lambda: None)
    assert native.build() is None


def test_an_unwritable_cache_means_the_fallback_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    env = {**os.environ, "FACEGATE_CACHE": str(blocker / "facegate")}
    probe = ("from device.recognition import native; import numpy as np; "
             "print(native.code_scan() is None, "
             "native.nearest_codes(np.zeros((3, 4), np.uint8), np.zeros(3, np.int32), "
             "np.ones(4, np.uint8), 2)[0].tolist())")
    out = subprocess.run([sys.executable, "-c", probe], env=env, check=True,
                         capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert out.stdout.split() == ["True", "[4,", "4]"]
    assert "cannot build the code scan" in out.stderr


_SUBPROCESS = """
import json, numpy as np
from device.recognition import native
from device.recognition.matcher import FaceIndex
rng = np.random.default_rng(5)
x = rng.standard_normal((3000, 128)); x /= np.linalg.norm(x, axis=1, keepdims=True)
index = FaceIndex()
index.add_matrix([f"s{i}" for i in range(3000)], [f"p{i // 3}" for i in range(3000)], x)
answers = [[(c.person_id, c.distance) for c in index.search(q, 2)] for q in x[:40] + 0.02]
print(json.dumps({"native": native.code_scan() is not None, "answers": answers}))
"""


def test_the_index_answers_the_same_with_and_without_the_compiled_scan() -> None:
    def run(flag: str) -> dict:
        env = {**os.environ, "FACEGATE_NATIVE": flag}
        out = subprocess.run([sys.executable, "-c", _SUBPROCESS], env=env, check=True,
                             capture_output=True, text=True, cwd=Path(__file__).parents[2])
        return json.loads(out.stdout)

    on, off = run("on"), run("off")
    assert on["native"] and not off["native"]
    assert len(on["answers"]) == len(off["answers"]) == 40
    for a, b in zip(on["answers"], off["answers"], strict=True):
        assert [p for p, _ in a] == [p for p, _ in b]
        # the same float64 arithmetic, summed in another order: the last bit may differ
        assert [d for _, d in a] == pytest.approx([d for _, d in b], rel=1e-13)


@pytest.mark.parametrize("dim", [128, 7, 1])
def test_the_compiled_re_rank_decodes_like_the_matcher(dim: int) -> None:
    from device.recognition.matcher import FaceIndex

    rng = np.random.default_rng(dim)
    vectors = rng.standard_normal((500, dim)) * 0.3
    index = FaceIndex(dim=dim)
    index.add_matrix([f"s{i}" for i in range(500)], [f"p{i}" for i in range(500)], vectors)
    _, _, stored = index.stored()
    rows = rng.integers(0, 500, 60)
    query = rng.standard_normal(dim) * 0.3
    got = native.exact_distances(index._codes, index._fine, rows, query, index._step,
                                 index._step / 4094)
    assert got is not None
    want = np.linalg.norm(stored[rows] - query, axis=1)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)
