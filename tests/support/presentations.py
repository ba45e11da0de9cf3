"""What the liveness tests present to the camera, relative to the sample data folder."""

from __future__ import annotations

from pathlib import Path

VIDEO = Path("video") / "short_hamilton_clip.mp4"
PHOTO = Path("faces") / "barack_obama" / "obama_1.jpg"  # enrolled as barack_obama
BEZEL = (10, 10, 10)
