"""The model files FaceGate carries itself (device/recognition/weights/, see SOURCE.md there).

Each file is checked against its size and sha256 before first use, once per process: a
truncated copy or a wrong file is refused with one line instead of loading as garbage.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
_REPO = Path(__file__).resolve().parents[2]
_SHOWN_DIGITS = 12  # of a sha256 in an error message
_CHUNK = 1 << 20


class ModelFileError(RuntimeError):
    """A model file is missing, truncated or not the expected one (a one-line message)."""


@dataclass(frozen=True)
class Expected:
    size: int
    sha256: str


EXPECTED: dict[str, Expected] = {
    "face_detection_yunet_2023mar.onnx": Expected(
        232_589, "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"),
    "mobilefacenet_192.onnx": Expected(
        5_229_857, "cecb7c28992f4bde96476fa15c31b40946b4809797cace1c822ceca9a8529398"),
    "mobilefacenet_192.tflite": Expected(
        5_233_396, "d8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b"),
}


def weight_file(name: str) -> Path:
    """The path of a model file of weights/, after checking its size and sha256."""
    expected = EXPECTED.get(name)
    if expected is None:
        raise ModelFileError(f"model file {name}: not a FaceGate model file "
                             f"(known: {', '.join(sorted(EXPECTED))})")
    path = WEIGHTS_DIR / name
    _verified(path, expected)
    return path


@functools.cache
def _verified(path: Path, expected: Expected) -> None:
    """Raises ModelFileError unless `path` has the expected size and sha256 (cached: only
    a success is remembered, so a file put right is accepted on the next call)."""
    if not path.is_file():
        raise ModelFileError(f"model file {_shown(path)}: missing (reinstall FaceGate)")
    size = path.stat().st_size
    if size != expected.size:
        raise ModelFileError(f"model file {_shown(path)}: {size:,} bytes, expected "
                             f"{expected.size:,} (truncated or wrong file)")
    digest = _sha256(path)
    if digest != expected.sha256:
        raise ModelFileError(f"model file {_shown(path)}: sha256 {digest[:_SHOWN_DIGITS]}... "
                             f"expected {expected.sha256[:_SHOWN_DIGITS]}... "
                             "(truncated or wrong file)")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _shown(path: Path) -> str:
    """The path relative to the repository when it is inside it, else as it is."""
    try:
        return str(path.relative_to(_REPO))
    except ValueError:
        return str(path)
