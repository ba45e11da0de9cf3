"""The running door as the GUI sees it: service, camera, sensor, and an admin hold.

`build_door` (device/runtime.py) wires hardware to the DoorService; this adapter adds what
the touchscreen needs on top and should move into device/runtime.py:

- hold()/release(): while an administrator is in the menus (and enrols someone in front of
  the camera) the door must not recognise, punch or raise alerts. The service's frame
  feed is wrapped by a gate that withholds frames; the camera keeps running for the
  enrolment preview even when the TOF sensor says nobody is there.
- apply_settings(): settings saved on the screen take effect at once. The door service
  applies them (recogniser, wake distance) and also follows changes made by any other
  process within about 0.5 s, with or without a screen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from device.door_service import DoorService, FrameFeed
from device.runtime import DoorRuntime, build_door
from device.settings import DeviceSettings
from device.terminal import Terminal


class GatedFeed:
    """A FrameFeed that hands the door no frames while held."""

    def __init__(self, feed: FrameFeed) -> None:
        self.feed = feed
        self._open = threading.Event()
        self._open.set()

    @property
    def held(self) -> bool:
        return not self._open.is_set()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def wait_frame(self, after_seq: int = 0, timeout: float | None = None) -> Any:
        if not self._open.wait(0.5 if timeout is None else min(timeout, 0.5)):
            return None
        frame = self.feed.wait_frame(after_seq=after_seq, timeout=timeout)
        return frame if self._open.is_set() else None


@dataclass
class GuiDoor:
    terminal: Terminal
    service: DoorService
    camera: Any  # hardware.camera.capture.CaptureThread: latest(), wait_frame(), measured_fps
    gate: GatedFeed
    tof: Any = None  # hardware.tof DistanceSensor: latest(), status
    wake: Any = None  # hardware.tof.wake.WakeDetector
    runtime: DoorRuntime | None = None
    _unsubscribe: list[Any] = field(default_factory=list)

    @classmethod
    def open(cls, db_path: str | Path, profile: str = "dev-pc") -> GuiDoor:
        """The composition root plus the gate: hardware from the profile, not started."""
        runtime = build_door(db_path, profile)
        hardware = runtime.hardware
        door = cls.around(runtime.terminal, runtime.service, hardware.capture,
                          tof=hardware.tof, wake=hardware.wake if hardware.tof else None)
        door.runtime = runtime
        return door

    @classmethod
    def around(cls, terminal: Terminal, service: DoorService, camera: Any, tof: Any = None,
               wake: Any = None) -> GuiDoor:
        gate = GatedFeed(service.frames)
        service.frames = gate
        door = cls(terminal, service, camera, gate, tof, wake)
        if wake is not None:
            door._unsubscribe.append(wake.add_listener(door._on_wake))
            if service.wake is None:  # a service built without it: let it follow the setting
                service.wake = wake
        door.apply_settings(terminal.settings())
        return door

    # -- control ------------------------------------------------------------------------

    def start(self) -> None:
        if self.runtime is not None:
            self.runtime.start()
        else:
            self.camera.start()
            self.service.start()

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self.runtime is not None:
            self.runtime.close()
            return
        self.service.stop()
        self.camera.close()
        if self.service.relay is not None and hasattr(self.service.relay, "close"):
            self.service.relay.close()
        self.terminal.close()

    @property
    def held(self) -> bool:
        return self.gate.held

    def hold(self) -> None:
        self.gate.hold()
        self.camera.resume()

    def release(self) -> None:
        self.gate.release()
        if self.wake is not None and not self.service.awake:
            self.camera.pause()

    def _on_wake(self, _event: Any) -> None:
        # runs after the runtime's own wake listener, which pauses the camera on IDLE
        if self.gate.held:
            self.camera.resume()

    def apply_settings(self, s: DeviceSettings) -> None:
        """Just saved on the screen: apply now rather than at the service's next poll."""
        self.service.apply_settings(s)

    # -- reads for the views ------------------------------------------------------------

    def distance_mm(self) -> int | None:
        reading = self.tof.latest() if self.tof is not None else None
        if reading is None or getattr(reading.status, "value", reading.status) != "ok":
            return None
        return reading.distance_mm
