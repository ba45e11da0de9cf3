"""Door-service events onto the GUI thread, through Qt signals only.

The DoorService calls its listeners on the door thread; a widget must never be touched
there. Each listener here only emits a signal (queued across threads by Qt). Processed
frames are coalesced: if the GUI has not taken the last one yet, the newer one replaces it
instead of queueing up behind it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PyQt5.QtCore import QObject, pyqtSignal

from device.door_service import DoorService, ProcessedFrame


class ServiceBridge(QObject):
    frame = pyqtSignal(object)  # ProcessedFrame (newest only)
    decision = pyqtSignal(object)  # device.attendance.DoorDecision
    awake = pyqtSignal(bool)
    door = pyqtSignal(object)  # {"reason", "person_id"}
    error = pyqtSignal(str)
    _frame_ready = pyqtSignal()

    def __init__(self, service: DoorService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: ProcessedFrame | None = None
        self._frame_ready.connect(self._deliver_frame)
        self._unsubscribe: list[Callable[[], None]] = [
            service.subscribe("frame", self._on_frame),
            service.subscribe("decision", self.decision.emit),
            service.subscribe("awake", self.awake.emit),
            service.subscribe("door", self.door.emit),
            service.subscribe("error", self.error.emit),
        ]

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _on_frame(self, frame: ProcessedFrame) -> None:  # door thread
        with self._lock:
            already_queued = self._pending is not None
            self._pending = frame
        if not already_queued:
            self._frame_ready.emit()

    def _deliver_frame(self) -> None:  # GUI thread
        with self._lock:
            frame, self._pending = self._pending, None
        if frame is not None:
            self.frame.emit(frame)


class CallBridge(QObject):
    """Hand a result computed on a worker thread to a callable on the GUI thread."""

    _call = pyqtSignal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(lambda function, value: function(value))

    def post(self, function: Callable[[Any], None], value: Any) -> None:
        self._call.emit(function, value)
