"""Where the dlib model files are: in the face_recognition_models package, found without
importing it (importing it imports pkg_resources, about 6 MB resident in every door)."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def model_file(name: str) -> Path:
    """A file of the face_recognition_models package, found without importing it.

    Importing it imports pkg_resources, about 6 MB resident in every door process.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face_recognition_models is not installed (see README: make setup)")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / name
    if not path.is_file():
        raise RuntimeError(f"model file missing: {path} (reinstall face_recognition_models)")
    return path
