"""Sample photos from the data folder (as uploads and as RGB arrays) and made-up JPEGs."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def photo(data_dir: Path, person: str, name: str) -> tuple[str, bytes, str]:
    path = data_dir / "faces" / person / name
    return path.name, path.read_bytes(), "image/jpeg"


def blank_jpeg(width: int = 400, height: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 210, 220)).save(buffer, "JPEG")
    return buffer.getvalue()


def rgb_of(data_dir: Path, person: str, name: str) -> np.ndarray:
    return np.asarray(Image.open(data_dir / "faces" / person / name).convert("RGB"))
