"""Composition root of a door: a hardware profile wired to the door service.

The TOF wake detector gates recognition (and pauses the camera when nobody is there);
relay pulses come from the service. Used by run_gui.py and `python -m device run`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from device.door_service import DoorService
from device.terminal import Terminal

WAKE_TICK_SECONDS = 0.5


@dataclass
class DoorRuntime:
    terminal: Terminal
    hardware: Any  # hardware.profiles.factory.Hardware
    service: DoorService
    _stop: threading.Event = field(default_factory=threading.Event)
    _ticker: threading.Thread | None = None

    def start(self) -> None:
        self.hardware.start()
        self.service.start()
        self._ticker = threading.Thread(target=self._tick, name="wake-tick", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        """A faulted sensor sends nothing: the clock alone must still let the door go idle."""
        while not self._stop.wait(WAKE_TICK_SECONDS):
            self.hardware.wake.tick(time.monotonic())

    def close(self) -> None:
        self._stop.set()
        self.service.stop()
        self.hardware.close()  # relay first: the door ends up locked
        self.terminal.close()


def build_door(db_path: str | Path, profile: Any = "dev-pc",
               always_awake: bool | None = None) -> DoorRuntime:
    """`profile`: a profile name, a .toml path, or a hardware.profiles HardwareProfile."""
    from hardware.profiles.factory import build_hardware
    from hardware.tof.wake import WakeState

    terminal = Terminal.open(db_path)
    hardware = build_hardware(profile)
    awake = hardware.tof is None if always_awake is None else always_awake
    service = DoorService(terminal, hardware.capture, hardware.relay, awake=awake)
    if hardware.tof is not None and not always_awake:
        hardware.capture.pause()

        def on_wake(event: Any) -> None:
            now_awake = event.state is WakeState.AWAKE
            (hardware.capture.resume if now_awake else hardware.capture.pause)()
            service.set_awake(now_awake)

        hardware.wake.add_listener(on_wake)
    return DoorRuntime(terminal, hardware, service)
