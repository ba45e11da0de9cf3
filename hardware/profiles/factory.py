"""build_hardware: turn a HardwareProfile into camera, TOF sensor, wake detector, relay."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from hardware.camera.base import FrameSource
from hardware.camera.capture import CaptureThread
from hardware.camera.spec import open_source
from hardware.listeners import Unsubscribe
from hardware.profiles.loader import ProfileError, load_profile
from hardware.profiles.model import HardwareProfile, RelayConfig, TofConfig, TofKind
from hardware.relay.base import Relay
from hardware.relay.enums import RelayKind
from hardware.relay.fake import FakeRelay
from hardware.relay.gpio import GpioRelay
from hardware.relay.serial_relay import SerialRelay
from hardware.tof.base import DistanceSensor
from hardware.tof.reading import RangeLimits
from hardware.tof.sensor import TofSensor
from hardware.tof.simulated import ApproachProfile, SimulatedTof
from hardware.tof.wake import WakeDetector

log = logging.getLogger(__name__)


@dataclass
class Hardware:
    """Everything a door has. Nothing runs until start(); close() releases it all.

    tof is None for profiles without a sensor (kind = "none"): run the camera always.
    The TOF sensor already feeds the wake detector; subscribe to wake for AWAKE/IDLE.
    """

    profile: HardwareProfile
    camera: FrameSource
    capture: CaptureThread
    tof: DistanceSensor | None
    wake: WakeDetector
    relay: Relay
    _unsubscribe: list[Unsubscribe] = field(default_factory=list, repr=False)

    def start(self) -> None:
        if self.tof is not None:
            self.tof.start()
        self.capture.start()

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        # Relay first: whatever else fails, the door must end up locked.
        for part in (self.relay, self.tof, self.capture):
            if part is None:
                continue
            try:
                part.close()
            except Exception:
                log.exception("closing %r failed", part)

    def pulse_door(self) -> None:
        """Unlock for the profile's pulse length."""
        self.relay.pulse(self.profile.relay.pulse_seconds)


def build_tof(config: TofConfig) -> DistanceSensor | None:
    limits = RangeLimits(min_mm=config.min_mm, max_mm=config.max_mm)
    if config.kind is TofKind.NONE:
        return None
    if config.kind is TofKind.SIMULATED:
        profile = ApproachProfile(period_s=config.approach_every_s,
                                  offset_s=config.first_approach_s)
        return SimulatedTof(profile, poll_hz=config.poll_hz, limits=limits)
    if not config.port:
        raise ProfileError("[tof] kind = 'serial' needs a port")
    return TofSensor(
        config.port,
        mode=config.mode,
        baudrate=config.baudrate,
        slave_id=config.slave_id,
        register=config.register,
        poll_hz=config.poll_hz,
        silence_timeout_s=config.silence_timeout_s,
        limits=limits,
    )


def build_relay(config: RelayConfig) -> Relay:
    if config.kind is RelayKind.FAKE:
        return FakeRelay(max_pulse_s=config.max_pulse_s)
    if config.kind is RelayKind.GPIO:
        if config.line < 0:
            raise ProfileError("[relay] kind = 'gpio' needs line = <offset on the chip>")
        return GpioRelay(
            config.line,
            chip=config.chip,
            active_low=config.active_low,
            max_pulse_s=config.max_pulse_s,
        )
    if not config.port:
        raise ProfileError("[relay] kind = 'serial' needs a port")
    return SerialRelay(
        config.port,
        channel=config.channel,
        baudrate=config.baudrate,
        max_pulse_s=config.max_pulse_s,
    )


def build_hardware(profile: HardwareProfile | str) -> Hardware:
    """Construct (not start) the hardware of a profile, or of a profile name/path.

    Raises ProfileError for an unusable profile and RelayError when the relay cannot be
    driven (better no door software than a door in an unknown state).
    """
    if isinstance(profile, str):
        profile = load_profile(profile)
    try:
        camera = open_source(profile.camera.source, **profile.camera.options)
    except ValueError as exc:
        raise ProfileError(f"[camera] {exc}") from exc
    capture = CaptureThread(camera, fps=profile.camera.fps)
    tof = build_tof(profile.tof)
    wake = WakeDetector(
        profile.tof.wake_distance_mm, profile.tof.wake_consecutive, profile.tof.idle_after_s
    )
    relay = build_relay(profile.relay)
    hardware = Hardware(profile, camera, capture, tof, wake, relay)
    if tof is not None:
        hardware._unsubscribe.append(tof.add_reading_listener(wake.update))
    return hardware
