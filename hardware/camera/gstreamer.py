"""GStreamer pipeline strings for the Jetson CSI camera (IMX219). Pure functions."""

from __future__ import annotations

from fractions import Fraction
from typing import Final

DEFAULT_CSI_WIDTH: Final = 1280
DEFAULT_CSI_HEIGHT: Final = 720
DEFAULT_CSI_FPS: Final = 30
FLIP_METHODS: Final = range(8)  # nvvidconv: 0 none, 2 rotate 180, 4 horizontal flip, ...
NTSC_FACTOR: Final = Fraction(1000, 1001)  # 29.97 = 30000/1001, 59.94 = 60000/1001
NTSC_TOLERANCE: Final = 0.005
MAX_FPS_DENOMINATOR: Final = 1000


def framerate_fraction(fps: float) -> str:
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    if float(fps).is_integer():
        return f"{int(fps)}/1"
    nominal = round(fps / NTSC_FACTOR)
    if abs(nominal * NTSC_FACTOR - fps) < NTSC_TOLERANCE:
        fraction = nominal * NTSC_FACTOR
    else:
        fraction = Fraction(fps).limit_denominator(MAX_FPS_DENOMINATOR)
    return f"{fraction.numerator}/{fraction.denominator}"


def csi_pipeline(
    sensor_id: int = 0,
    width: int = DEFAULT_CSI_WIDTH,
    height: int = DEFAULT_CSI_HEIGHT,
    fps: float = DEFAULT_CSI_FPS,
    flip: int = 0,
    out_width: int | None = None,
    out_height: int | None = None,
) -> str:
    """nvarguscamerasrc -> NVMM -> nvvidconv (flip, optional scale) -> BGR appsink.

    appsink keeps at most one buffer and drops older ones (drop=1 alone does nothing
    without max-buffers), so a slow consumer always gets the newest frame, never a queue.
    """
    if sensor_id < 0:
        raise ValueError(f"sensor id must be >= 0, got {sensor_id}")
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be positive, got {width}x{height}")
    if flip not in FLIP_METHODS:
        raise ValueError(f"flip must be 0..7, got {flip}")
    if (out_width is None) != (out_height is None):
        raise ValueError("give both out_width and out_height, or neither")
    scaled = ""
    if out_width is not None and out_height is not None:
        if out_width <= 0 or out_height <= 0:
            raise ValueError("out_width and out_height must be positive")
        scaled = f"width={out_width},height={out_height},"
    return (
        f"nvarguscamerasrc sensor-id={sensor_id} ! "
        f"video/x-raw(memory:NVMM),width={width},height={height},"
        f"framerate={framerate_fraction(fps)} ! "
        f"nvvidconv flip-method={flip} ! "
        f"video/x-raw,{scaled}format=BGRx ! "
        "videoconvert ! video/x-raw,format=BGR ! "
        "appsink drop=1 max-buffers=1"
    )
