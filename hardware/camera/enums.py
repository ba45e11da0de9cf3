"""Enumerations of the camera layer."""

from __future__ import annotations

from enum import StrEnum


class SourceKind(StrEnum):
    USB = "usb"  # V4L2 device: index or /dev/videoN
    CSI = "csi"  # Jetson CSI camera through nvarguscamerasrc
    NETWORK = "network"  # rtsp://, http(s):// streams
    FILE = "file"  # a video file, paced to its native fps
    FOLDER = "folder"  # a directory of images
    GSTREAMER = "gstreamer"  # a raw GStreamer pipeline string
    FAKE = "fake"  # synthetic frames, no camera, no OpenCV


class CaptureState(StrEnum):
    STARTING = "starting"  # opening the source, no frame yet
    RUNNING = "running"
    PAUSED = "paused"  # nobody at the door: no frames are read
    RECONNECTING = "reconnecting"  # source failed; retrying with backoff (see reason)
    ENDED = "ended"  # a file/folder without loop reached its end
    FAILED = "failed"  # gave up: not retryable, or max_attempts used up (see reason)
    STOPPED = "stopped"  # close() was called
