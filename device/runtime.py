"""Composition root of a door: a hardware profile wired to the door service.

The TOF wake detector gates recognition (and pauses the camera when nobody is there);
relay pulses come from the service. The local HTTP API (with the live camera as its MJPEG
stream) and the alert mailer start with the door unless FACEGATE_API=off / no
FACEGATE_SMTP_HOST. Used by run_gui.py and `python -m device run`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from device.door_service import DoorService
from device.terminal import Terminal

log = logging.getLogger("facegate.runtime")

WAKE_TICK_SECONDS = 0.5


@dataclass
class DoorRuntime:
    terminal: Terminal
    hardware: Any  # hardware.profiles.factory.Hardware
    service: DoorService
    serve_http: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _ticker: threading.Thread | None = None
    _side_services: list[Any] = field(default_factory=list)

    def start(self) -> None:
        self.hardware.start()
        self.service.start()
        self._ticker = threading.Thread(target=self._tick, name="wake-tick", daemon=True)
        self._ticker.start()
        if self.serve_http:
            self._start_http()
        self._start_mailer()

    def _latest_rgb(self) -> np.ndarray | None:
        frame = self.hardware.capture.latest()
        return None if frame is None else cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)

    def _start_http(self) -> None:
        """The LAN API; a busy port or bad settings cost the API, never the door: the
        port is bound in the background, retried with backoff while it is busy."""
        from device.api.config import config_from_env
        from device.api.server import RetryingServer

        try:
            config = config_from_env()
            self._side_services.append(
                RetryingServer(self.terminal, config, self._latest_rgb).start())
        except Exception as e:  # SystemExit is not an Exception: none is raised here
            log.error("HTTP API not started: %s", e)

    def _start_mailer(self) -> None:
        from device.notify.config import mail_config_from_env
        from device.notify.mailer import AlertMailer

        try:
            config = mail_config_from_env()
            if config is not None:
                mailer = AlertMailer(self.terminal, config)
                mailer.start()
                self._side_services.append(mailer)
        except Exception as e:
            log.error("alert e-mail not started: %s", e)

    def _tick(self) -> None:
        """A faulted sensor sends nothing: the clock alone must still let the door go idle."""
        while not self._stop.wait(WAKE_TICK_SECONDS):
            self.hardware.wake.tick(time.monotonic())

    def close(self) -> None:
        self._stop.set()
        for side in self._side_services:
            side.stop()
        self.service.stop()
        self.hardware.close()  # relay first: the door ends up locked
        self.terminal.close()


def build_door(db_path: str | Path, profile: Any = "dev-pc",
               always_awake: bool | None = None, serve_http: bool | None = None) -> DoorRuntime:
    """`profile`: a profile name, a .toml path, or a hardware.profiles HardwareProfile."""
    if serve_http is None:
        serve_http = os.environ.get("FACEGATE_API", "on").lower() not in ("off", "0", "no")
    from hardware.profiles.factory import build_hardware
    from hardware.tof.wake import WakeState

    terminal = Terminal.open(db_path)
    hardware = build_hardware(profile)
    awake = hardware.tof is None if always_awake is None else always_awake
    distance = hardware.tof.latest if hardware.tof is not None else None
    # the wake detector's distance follows the wake_distance_mm setting (not the profile's)
    service = DoorService(terminal, hardware.capture, hardware.relay, awake=awake,
                          distance=distance, wake=hardware.wake)
    if hardware.tof is not None and not always_awake:
        hardware.capture.pause()

        def on_wake(event: Any) -> None:
            now_awake = event.state is WakeState.AWAKE
            (hardware.capture.resume if now_awake else hardware.capture.pause)()
            service.set_awake(now_awake)

        hardware.wake.add_listener(on_wake)
    return DoorRuntime(terminal, hardware, service, serve_http=serve_http)
