"""Camera frame sources and the newest-frame capture thread.

Importing this package does not import OpenCV; sources import it when opened.
"""

from hardware.camera.base import Frame, FrameSource, SourceError
from hardware.camera.capture import CaptureStatus, CaptureThread
from hardware.camera.enums import CaptureState, SourceKind
from hardware.camera.fake import FakeCamera
from hardware.camera.folder import ImageFolderSource
from hardware.camera.gstreamer import csi_pipeline
from hardware.camera.opencv_source import OpenCvSource
from hardware.camera.spec import SourceSpec, open_source, parse_spec

__all__ = [
    "CaptureState",
    "CaptureStatus",
    "CaptureThread",
    "FakeCamera",
    "Frame",
    "FrameSource",
    "ImageFolderSource",
    "OpenCvSource",
    "SourceError",
    "SourceKind",
    "SourceSpec",
    "csi_pipeline",
    "open_source",
    "parse_spec",
]
