"""Loading photos the way people actually supply them, or refusing them in one line.

Handles EXIF rotation, grayscale, 16-bit, RGBA/32-bit PNG, palette and CMYK JPEG; refuses
empty, truncated, non-image and oversized files before decoding the pixels.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from device.errors import BadInput

MAX_MEGAPIXELS = 50.0
MAX_FILE_BYTES = 64 * 1024 * 1024

def load_rgb(source: str | Path | bytes, max_megapixels: float = MAX_MEGAPIXELS) -> np.ndarray:
    """An HxWx3 uint8 RGB array, upright as the camera saw it."""
    name, data = _read(source)
    if not data:
        raise BadInput(f"{name}: the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            megapixels = image.width * image.height / 1e6
            if megapixels > max_megapixels:
                raise BadInput(f"{name}: image is {megapixels:.1f} megapixels; "
                               f"the limit is {max_megapixels:g}")
            # face_recognition's import switches this on for the whole process; a half
            # photo must be refused, not enrolled with a grey lower half.
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            image.load()
            image = ImageOps.exif_transpose(image)
            return _to_rgb_array(image)
    except BadInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as e:
        raise BadInput(f"{name}: not an image file FaceGate can read") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise BadInput(f"{name}: the image is truncated or corrupt ({e})") from e

def _read(source: str | Path | bytes) -> tuple[str, bytes]:
    if isinstance(source, bytes):
        return "image", source
    path = Path(source)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise BadInput(f"{path}: the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        return str(path), path.read_bytes()
    except FileNotFoundError as e:
        raise BadInput(f"{path}: no such file") from e
    except IsADirectoryError as e:
        raise BadInput(f"{path}: is a folder, not an image") from e
    except PermissionError as e:
        raise BadInput(f"{path}: permission denied") from e

def _to_rgb_array(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image, dtype=np.uint32)
        top = 65535 if image.mode.startswith("I;16") or wide.max() > 255 else 255
        gray = (wide * 255 // max(top, 1)).astype(np.uint8)
        return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")  # L, P, CMYK, YCbCr, 1, F
    return np.array(image, dtype=np.uint8)  # a writable copy: views draw on it

def encode_jpeg(rgb: np.ndarray, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
