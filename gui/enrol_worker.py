"""Guided enrolment off the GUI thread: detection per frame, then Terminal.enroll.

Detection costs a sixth of a second a frame on a small CPU, enrolment a second or more;
neither may freeze the screen. Results reach the GUI through a CallBridge (a Qt signal).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import cv2

from device.errors import FaceGateError
from device.terminal import EnrolResult
from gui.bridge import CallBridge
from gui.door import GuiDoor
from gui.enrol_session import Guidance, GuidedCapture

log = logging.getLogger("facegate.gui")


class EnrolWorker:
    def __init__(self, door: GuiDoor, calls: CallBridge,
                 on_guidance: Callable[[Guidance], None],
                 on_saving: Callable[[None], None],
                 on_finished: Callable[[EnrolResult | Exception], None]) -> None:
        self.door = door
        self.calls = calls
        self.on_guidance = on_guidance
        self.on_saving = on_saving
        self.on_finished = on_finished
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, person_id: str, name: str) -> None:
        self.cancel()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(person_id, name, self._stop),
                                        name="enrol", daemon=True)
        self._thread.start()

    def cancel(self, wait: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(wait)
        self._thread = None

    def _run(self, person_id: str, name: str, stop: threading.Event) -> None:
        terminal = self.door.terminal
        capture = GuidedCapture(terminal.engine)
        seq = 0
        try:
            while not stop.is_set() and not capture.done:
                frame = self.door.camera.wait_frame(after_seq=seq, timeout=0.5)
                if frame is None:
                    continue
                seq = frame.seq
                guidance = capture.offer(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB), frame.t)
                if not stop.is_set():
                    self.calls.post(self.on_guidance, guidance)
            if stop.is_set():
                return
            self.calls.post(self.on_saving, None)
            result: EnrolResult | Exception = terminal.enroll(person_id, name, capture.frames)
        except FaceGateError as e:
            result = e
        except Exception as e:  # the screen must say something rather than hang
            log.exception("enrolment failed")
            result = e
        if not stop.is_set():
            self.calls.post(self.on_finished, result)
