"""Device info: version, counts, sync state and last hub contact, camera and sensor."""

from __future__ import annotations

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import QGridLayout, QLabel, QScrollArea, QWidget

from device.queries import DeviceStatus
from gui.context import Context
from gui.i18n import stamp, tr
from gui.screens.base import Screen
from gui.widgets.common import label
from gui.widgets.touch import kinetic

ROWS = ("info_version", "info_device", "info_database", "info_people", "info_punches",
        "info_events", "info_alerts", "info_sync", "info_queue", "info_acked", "info_session",
        "info_contact", "info_camera", "info_tof", "info_recognised")
REFRESH_MS = 2000


class InfoScreen(Screen):
    name = "info"
    back = pyqtSignal()

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx.m)
        self.ctx = ctx
        m = ctx.m
        layout = self.column_with_header(self.back)
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(m.px(8), m.px(6), m.px(8), m.px(6))
        grid.setHorizontalSpacing(m.px(10))
        grid.setVerticalSpacing(m.px(3))
        self.titles: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for i, key in enumerate(ROWS):
            self.titles[key] = label("", role="muted")
            self.values[key] = label("", wrap=True)
            self.values[key].setTextInteractionFlags(Qt.NoTextInteraction)
            grid.addWidget(self.titles[key], i, 0, Qt.AlignTop)
            grid.addWidget(self.values[key], i, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(len(ROWS), 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(body)
        kinetic(scroll)
        layout.addWidget(scroll, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(ctx.nav.reload)  # counts, sync, camera and sensor
        self.data: DeviceStatus | None = None

    def entered(self) -> None:
        self.timer.start()

    def left(self) -> None:
        self.timer.stop()

    def retranslate(self) -> None:
        self.header.back.setText(tr("back"))
        self.header.title.setText(tr("menu_info"))
        for key, widget in self.titles.items():
            widget.setText(tr(key))
        self.present()

    def present(self) -> None:
        s = self.data
        if s is None:
            return
        door = self.ctx.door
        sync = s.sync
        sync_state = tr(f"sync_{sync.state().value}", n=sync.queue_depth,
                        time=stamp(sync.last_hub_contact or 0))
        camera = door.camera
        camera_text = f"{camera.status} · {camera.measured_fps:.1f} fps"
        if door.tof is None:
            tof_text = tr("info_tof_none")
        else:
            mm = door.distance_mm()
            tof_text = f"{door.tof.status}" + ("" if mm is None else f" · {mm} mm")
        values = {
            "info_version": s.version,
            "info_device": f"{s.device_name} · {s.device_id}",
            "info_database": f"{s.db_path.name} · {s.db_bytes / 1e6:.1f} MB",
            "info_people": f"{s.people} / {s.samples}",
            "info_punches": str(s.punches),
            "info_events": str(s.events),
            "info_alerts": str(s.open_alerts),
            "info_sync": sync_state,
            "info_queue": str(sync.queue_depth),
            "info_acked": f"{sync.acked_seq} / {sync.last_seq}",
            "info_session": str(sync.session) if sync.session else tr("none"),
            "info_contact": stamp(sync.last_hub_contact) if sync.last_hub_contact
            else tr("never"),
            "info_camera": camera_text,
            "info_tof": tof_text,
            "info_recognised": str(door.service.frames_processed),
        }
        for key, text in values.items():
            self.values[key].setText(text)
