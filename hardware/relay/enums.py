"""Enumerations of the door relay layer."""

from __future__ import annotations

from enum import StrEnum


class RelayKind(StrEnum):
    FAKE = "fake"
    GPIO = "gpio"  # Linux GPIO character device through the gpiod bindings
    SERIAL = "serial"  # USB/serial relay board speaking the LCUS protocol


class PulseKind(StrEnum):
    OPENED = "opened"  # relay energised: the door is unlocked
    EXTENDED = "extended"  # a pulse during a pulse moved the release time later
    CLOSED = "closed"  # relay de-energised again (seconds = how long it was energised)
    FAILED = "failed"  # a write to the relay failed (detail says which); alert-worthy
