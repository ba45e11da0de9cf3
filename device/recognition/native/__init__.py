"""The compiled code scan (codescan.c), built once per machine and loaded with ctypes.

Why C: the 1:N scan reads 128 bytes per sample, and no numpy or OpenCV call does the
uint8 squared distance plus top-K at memory speed (OpenCV's batchDistance, the fallback,
spends ~16 ns a row; this loop ~4). The library is built with the system C compiler into
the user cache (`FACEGATE_CACHE`, default ~/.cache/facegate), named by a hash of the
source, the flags and the machine, so a stale build is never loaded. `make setup` builds
it; a door without a compiler runs on the fallback, with the same answers.
`FACEGATE_NATIVE=off` forces the fallback.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("codescan.c")
# -march=native is not on every compiler; no FMA contraction, so that the re-rank's float64
# arithmetic is the same as numpy's, operation by operation.
_FLAG_SETS = (["-O3", "-march=native", "-ffp-contract=off"], ["-O3", "-ffp-contract=off"])
_lock = threading.Lock()
_loaded: dict[str, ctypes.CDLL | None] = {}


def cache_dir() -> Path:
    base = os.environ.get("FACEGATE_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "facegate"


def _library_path(flags: list[str]) -> Path:
    key = hashlib.sha256(SOURCE.read_bytes())
    key.update(" ".join(flags).encode())
    key.update(f"{platform.machine()} {platform.node()}".encode())
    return cache_dir() / f"codescan-{key.hexdigest()[:16]}.so"


def _compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")


def build() -> Path | None:
    """Compile codescan.c into the cache (atomically); the path, or None if it cannot be."""
    compiler = _compiler()
    if compiler is None:
        return None
    for flags in _FLAG_SETS:
        target = _library_path(flags)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            built = Path(tmp) / target.name
            result = subprocess.run(
                [compiler, *flags, "-shared", "-fPIC", "-o", str(built), str(SOURCE)],
                capture_output=True, text=True, check=False)
            if result.returncode == 0:
                os.replace(built, target)
                return target
            log.debug("%s %s failed: %s", compiler, " ".join(flags), result.stderr.strip())
    return None


def _load() -> ctypes.CDLL | None:
    if os.environ.get("FACEGATE_NATIVE", "").lower() in ("off", "0", "no"):
        return None
    for flags in _FLAG_SETS:
        if _library_path(flags).exists():
            path: Path | None = _library_path(flags)
            break
    else:
        try:
            path = build()
        except OSError as e:  # an unwritable cache directory, say
            log.warning("cannot build the code scan (%s): the face search runs on OpenCV's", e)
            return None
    if path is None:
        log.warning("no C compiler: the face search runs on OpenCV's slower scan")
        return None
    try:
        return bind(ctypes.CDLL(str(path)))
    except OSError as e:
        log.warning("cannot load %s (%s): the face search runs on OpenCV's scan", path, e)
        return None


def bind(library: ctypes.CDLL) -> ctypes.CDLL:
    """Declare the C signatures on a loaded codescan library."""
    function = library.facegate_nearest_codes
    pointer = ctypes.c_void_p
    function.argtypes = [pointer, pointer, ctypes.c_int64, ctypes.c_int64, pointer,
                         ctypes.c_int64, pointer, pointer]
    function.restype = ctypes.c_int64
    library.facegate_uses_code_norms.restype = ctypes.c_int
    exact = library.facegate_exact_distances
    exact.argtypes = [pointer, pointer, ctypes.c_int64, pointer, ctypes.c_int64, pointer,
                      ctypes.c_double, ctypes.c_double, pointer]
    exact.restype = None
    return library


def code_scan() -> ctypes.CDLL | None:
    """The loaded library, or None (no compiler, FACEGATE_NATIVE=off): loaded once."""
    with _lock:
        if "library" not in _loaded:
            _loaded["library"] = _load()
        return _loaded["library"]


def code_norms(codes: np.ndarray) -> np.ndarray:
    """What the scan's dot form needs per row: sum a^2 - 256 sum a, as int32."""
    a = codes.astype(np.int32)
    return np.einsum("ij,ij->i", a, a - 256).astype(np.int32)


def nearest_codes(codes: np.ndarray, norms: np.ndarray, query: np.ndarray, k: int,
                  library: ctypes.CDLL | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(squared code distances int32, rows int64) of the k codes nearest to `query`.

    Unordered. `codes` is a C-contiguous (n, dim) uint8 array, `norms` its `code_norms`,
    `query` (dim,) uint8. Falls back to OpenCV when the compiled scan is not available.
    """
    library = library or code_scan()
    n, dim = codes.shape
    k = min(k, n)
    if library is None:
        distances, rows = cv2.batchDistance(query.reshape(1, -1), codes, cv2.CV_32S,
                                            normType=cv2.NORM_L2SQR, K=k)
        return distances[0], rows[0].astype(np.int64)
    if not (codes.flags.c_contiguous and codes.dtype == np.uint8):
        raise ValueError("codes must be a C-contiguous uint8 array")
    if not (norms.flags.c_contiguous and norms.dtype == np.int32 and len(norms) >= n):
        raise ValueError("norms must be a C-contiguous int32 array, one per code")
    query = np.ascontiguousarray(query, dtype=np.uint8)
    distances = np.empty(k, dtype=np.int32)
    rows = np.empty(k, dtype=np.int64)
    written = library.facegate_nearest_codes(
        codes.ctypes.data, norms.ctypes.data, n, dim, query.ctypes.data, k, distances.ctypes.data,
        rows.ctypes.data)
    return distances[:written], rows[:written]


def exact_distances(codes: np.ndarray, fine: np.ndarray, rows: np.ndarray, query: np.ndarray,
                    step: float, fine_step: float) -> np.ndarray | None:
    """Float64 distances from `query` to the decoded rows (see codescan.c), or None when
    the compiled library is not available (the caller decodes with numpy)."""
    library = code_scan()
    if library is None:
        return None
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    query = np.ascontiguousarray(query, dtype=np.float64)
    out = np.empty(len(rows), dtype=np.float64)
    library.facegate_exact_distances(codes.ctypes.data, fine.ctypes.data, codes.shape[1],
                                     rows.ctypes.data, len(rows), query.ctypes.data, step,
                                     fine_step, out.ctypes.data)
    return out
