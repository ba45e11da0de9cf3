"""Live: the camera with face boxes and names, the door candidate highlighted, TOF distance.

The picture is the camera's newest frame (up to the display rate); the boxes come from
the door service's newest processed frame, which arrives at the recognition rate.
"""

from __future__ import annotations

import time

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from device.door_service import ProcessedFrame
from device.recognition.decision import Verdict
from gui.context import Context
from gui.i18n import tr
from gui.screens.base import Screen
from gui.theme import BAD_COLOUR, MUTED, OK_COLOUR, WARN_COLOUR
from gui.widgets.common import button, label, set_tone
from gui.widgets.video import Overlay, VideoView

PREVIEW_MS = 33
OVERLAY_TTL_SECONDS = 1.0


class LiveScreen(Screen):
    name = "live"
    admin_requested = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.video = VideoView(m)
        layout.addWidget(self.video, 1)
        bar = QWidget()
        bar.setProperty("role", "header")
        bar.setAttribute(Qt.WA_StyledBackground)
        bar.setFixedHeight(m.px(44))
        row = QHBoxLayout(bar)
        row.setContentsMargins(m.px(8), m.px(2), m.px(4), m.px(2))
        self.hint = label("", role="title")
        self.distance = label("", role="muted")
        self.admin = button("")
        self.admin.setFixedWidth(m.px(72))
        self.admin.setMaximumHeight(m.px(40))
        self.admin.clicked.connect(self.admin_requested)
        row.addWidget(self.hint, 1)
        row.addWidget(self.distance)
        row.addWidget(self.admin)
        layout.addWidget(bar)
        self._last_seq = 0
        self._processed_at = 0.0
        self._hint_key = "recognising"
        self._hint_name: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(PREVIEW_MS)
        self.timer.timeout.connect(self.tick)
        ctx.bridge.frame.connect(self.on_processed)

    def ready_for_shot(self) -> bool:
        """For screenshots: a camera frame with a face box on it."""
        return self.video.image is not None and bool(self.video.overlays)

    def retranslate(self) -> None:
        self.admin.setText(tr("admin"))
        self._show_hint()

    def entered(self) -> None:
        self._last_seq = 0
        self.video.clear()
        self.timer.start()

    def left(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        frame = self.ctx.door.camera.latest()
        if frame is not None and frame.seq != self._last_seq:
            self._last_seq = frame.seq
            self.video.set_frame(frame.image)
        if self.video.overlays and time.monotonic() - self._processed_at > OVERLAY_TTL_SECONDS:
            self.video.set_overlays([])
        mm = self.ctx.door.distance_mm()
        self.distance.setText("" if mm is None else tr("distance", m=mm / 1000))

    def on_processed(self, processed: ProcessedFrame) -> None:
        if not self.isVisible():
            return
        self._processed_at = time.monotonic()
        overlays = []
        self._hint_key, self._hint_name = "look_at_camera_live", None
        for face in processed.step.frame.faces:
            if not face.candidate:
                overlays.append(Overlay(face.box, "", MUTED))
                continue
            match = face.match
            if match is None or match.verdict is Verdict.AMBIGUOUS:
                overlays.append(Overlay(face.box, "…", WARN_COLOUR, thick=True))
                self._hint_key = "recognising"
            elif match.known:
                name = self.ctx.names.get(match.person_id) or match.person_id or ""
                overlays.append(Overlay(face.box, name, OK_COLOUR, thick=True))
                self._hint_key, self._hint_name = "", name
            else:
                overlays.append(Overlay(face.box, tr("unknown"), BAD_COLOUR, thick=True))
                self._hint_key = "unknown"
        self.video.set_overlays(overlays)
        self._show_hint()

    def _show_hint(self) -> None:
        self.hint.setText(self._hint_name or tr(self._hint_key or "recognising"))
        set_tone(self.hint, "ok" if self._hint_name else
                 "bad" if self._hint_key == "unknown" else None)
