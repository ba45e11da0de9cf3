"""Door relay: fail-secure pulses on a fake, a GPIO line or a USB serial relay board."""

from hardware.relay.base import PulseEvent, Relay, RelayError
from hardware.relay.enums import PulseKind, RelayKind
from hardware.relay.fake import FakeRelay, PulseRecord
from hardware.relay.gpio import GpioRelay
from hardware.relay.serial_relay import SerialRelay, lcus_command

__all__ = [
    "FakeRelay",
    "GpioRelay",
    "PulseEvent",
    "PulseKind",
    "PulseRecord",
    "Relay",
    "RelayError",
    "RelayKind",
    "SerialRelay",
    "lcus_command",
]
