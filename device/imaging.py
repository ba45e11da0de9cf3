"""Loading photos the way people actually supply them, or refusing them in one line.

Handles EXIF rotation, grayscale, 16-bit, RGBA/32-bit PNG, palette and CMYK JPEG; refuses
empty, truncated, non-image and oversized files before decoding the pixels.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from device.errors import BadInput

MAX_MEGAPIXELS = 50.0
MAX_FILE_BYTES = 64 * 1024 * 1024
MIN_SIDE = 16  # pixels: no face detector finds anything in less
MAX_ASPECT = 20.0  # long side : short side; beyond it no photo of a face, only a trap


def load_rgb(source: str | Path | bytes, max_megapixels: float = MAX_MEGAPIXELS) -> np.ndarray:
    """An HxWx3 uint8 RGB array, upright as the camera saw it."""
    name, data = _read(source)
    if not data:
        raise BadInput(f"{name}: the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            check_size(name, image.width, image.height, max_megapixels)
            # face_recognition's import switches this on for the whole process; a half
            # photo must be refused, not enrolled with a grey lower half.
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            image.load()
            image = ImageOps.exif_transpose(image)
            return _to_rgb_array(image)
    except BadInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        # PIL's own check (at about 89 megapixels) fires before ours can look at the size
        limit = min(max_megapixels, (Image.MAX_IMAGE_PIXELS or 0) / 1e6 or max_megapixels)
        raise BadInput(_too_many_pixels(name, _pixels_in(str(e)), limit)) from e
    except UnidentifiedImageError as e:
        raise BadInput(f"{name}: not an image file FaceGate can read") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise BadInput(f"{name}: the image is truncated or corrupt ({e})") from e

def check_size(name: str, width: int, height: int,
               max_megapixels: float = MAX_MEGAPIXELS) -> None:
    """Refuse, before any pixel is decoded, sizes that are no photo of a face."""
    if width * height / 1e6 > max_megapixels:
        raise BadInput(_too_many_pixels(name, width * height, max_megapixels))
    short, long = sorted((width, height))
    if short < 1 or long / short > MAX_ASPECT:
        raise BadInput(f"{name}: image too thin ({width}x{height} pixels); the long side may "
                       f"be at most {MAX_ASPECT:g} times the short one")
    if short < MIN_SIDE:
        raise BadInput(f"{name}: image too small ({width}x{height} pixels); each side needs "
                       f"at least {MIN_SIDE} pixels")


def _too_many_pixels(name: str, pixels: int | None, max_megapixels: float) -> str:
    size = f"{pixels / 1e6:.1f} megapixels" if pixels else "too many pixels"
    return f"{name}: image is {size}; the limit is {max_megapixels:g} megapixels"


def _pixels_in(message: str) -> int | None:
    found = re.search(r"\((\d+) pixels\)", message)
    return int(found.group(1)) if found else None


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
