"""HardwareProfile: what a board has (camera, TOF sensor, relay) and how it is wired."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from hardware.relay.base import DEFAULT_MAX_PULSE_S
from hardware.relay.enums import RelayKind
from hardware.relay.gpio import DEFAULT_CHIP
from hardware.relay.serial_relay import LCUS_BAUDRATE
from hardware.tof.constants import (
    BLIND_ZONE_MM,
    DEFAULT_BAUDRATE,
    DEFAULT_POLL_HZ,
    DEFAULT_SILENCE_TIMEOUT_S,
    DEFAULT_SLAVE_ID,
    DISTANCE_REGISTER,
    MAX_RANGE_MM,
)
from hardware.tof.enums import TofMode
from hardware.tof.wake import DEFAULT_CONSECUTIVE, DEFAULT_IDLE_AFTER_S, DEFAULT_WAKE_DISTANCE_MM

DEFAULT_PULSE_S = 3.0
DEFAULT_APPROACH_EVERY_S = 20.0


class TofKind(StrEnum):
    SERIAL = "serial"  # a real sensor on a UART / USB serial port
    SIMULATED = "simulated"  # SimulatedTof: someone walks up every approach_every_s
    NONE = "none"  # no sensor: the camera runs all the time


@dataclass(frozen=True)
class CameraConfig:
    source: str  # see hardware.camera.spec, e.g. "csi://0?width=1280&height=720"
    options: dict[str, Any] = field(default_factory=dict)
    fps: float | None = None  # pace file/folder/fake sources at this rate (native if None)


@dataclass(frozen=True)
class TofConfig:
    kind: TofKind = TofKind.SIMULATED
    port: str = ""
    mode: TofMode = TofMode.MODBUS
    baudrate: int = DEFAULT_BAUDRATE
    slave_id: int = DEFAULT_SLAVE_ID
    register: int = DISTANCE_REGISTER
    poll_hz: float = DEFAULT_POLL_HZ
    silence_timeout_s: float = DEFAULT_SILENCE_TIMEOUT_S
    min_mm: int = BLIND_ZONE_MM
    max_mm: int = MAX_RANGE_MM
    wake_distance_mm: int = DEFAULT_WAKE_DISTANCE_MM
    wake_consecutive: int = DEFAULT_CONSECUTIVE
    idle_after_s: float = DEFAULT_IDLE_AFTER_S
    approach_every_s: float = DEFAULT_APPROACH_EVERY_S  # simulated only
    first_approach_s: float = 3.0  # simulated only: nobody there until then


@dataclass(frozen=True)
class RelayConfig:
    kind: RelayKind = RelayKind.FAKE
    pulse_seconds: float = DEFAULT_PULSE_S
    max_pulse_s: float = DEFAULT_MAX_PULSE_S
    chip: str = DEFAULT_CHIP  # gpio
    line: int = -1  # gpio: line offset on chip (required for kind = "gpio")
    active_low: bool = False  # gpio
    port: str = ""  # serial: pyserial URL such as /dev/ttyUSB0
    channel: int = 1  # serial
    baudrate: int = LCUS_BAUDRATE  # serial


@dataclass(frozen=True)
class HardwareProfile:
    name: str
    camera: CameraConfig
    tof: TofConfig = field(default_factory=TofConfig)
    relay: RelayConfig = field(default_factory=RelayConfig)
    description: str = ""
    path: Path | None = None  # the TOML file it came from
