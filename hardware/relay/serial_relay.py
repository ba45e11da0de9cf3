"""SerialRelay: USB/serial relay boards speaking the LCUS protocol (CH340-based boards).

Frame: 0xA0, channel, state (1 on / 0 off), checksum = sum of the first three bytes,
e.g. channel 1 on = A0 01 01 A2, off = A0 01 00 A1.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final, Protocol

from hardware.relay.base import Relay, RelayError

log = logging.getLogger(__name__)

LCUS_HEADER: Final = 0xA0
LCUS_ON: Final = 0x01
LCUS_OFF: Final = 0x00
LCUS_BAUDRATE: Final = 9600
MAX_CHANNEL: Final = 8
SERIAL_TIMEOUT_S: Final = 0.5
BYTE_MASK: Final = 0xFF


def lcus_command(channel: int, energised: bool) -> bytes:
    if not 1 <= channel <= MAX_CHANNEL:
        raise ValueError(f"relay channel must be 1..{MAX_CHANNEL}, got {channel}")
    state = LCUS_ON if energised else LCUS_OFF
    return bytes([LCUS_HEADER, channel, state, (LCUS_HEADER + channel + state) & BYTE_MASK])


class _Port(Protocol):
    def write(self, data: bytes) -> int | None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


def _default_factory(url: str, **kwargs: Any) -> _Port:
    import serial

    port: _Port = serial.serial_for_url(url, **kwargs)
    return port


class SerialRelay(Relay):
    """One channel of an LCUS board on a pyserial URL (/dev/ttyUSB0, loop://, ...).

    A failed write reopens the port once and retries: USB adapters re-enumerate. If the
    board is gone, it has also lost power, and an unpowered relay is off.
    """

    def __init__(
        self,
        port: str,
        *,
        channel: int = 1,
        baudrate: int = LCUS_BAUDRATE,
        serial_factory: Callable[..., _Port] = _default_factory,
        **options: Any,
    ) -> None:
        options.setdefault("name", f"serial-relay {port}#{channel}")
        super().__init__(**options)
        lcus_command(channel, False)  # validates the channel
        self.port = port
        self.channel = channel
        self.baudrate = baudrate
        self._factory = serial_factory
        self._serial: _Port | None = None
        self._initial_off()

    def _open(self) -> _Port:
        try:
            return self._factory(
                self.port,
                baudrate=self.baudrate,
                timeout=SERIAL_TIMEOUT_S,
                write_timeout=SERIAL_TIMEOUT_S,
            )
        except Exception as exc:
            raise RelayError(f"cannot open relay port {self.port}: {exc}") from exc

    def _send(self, command: bytes) -> None:
        if self._serial is None:
            self._serial = self._open()
        self._serial.write(command)
        self._serial.flush()

    def _write(self, energised: bool) -> None:
        command = lcus_command(self.channel, energised)
        try:
            self._send(command)
        except Exception:
            log.warning("%s: write failed, reopening the port", self.name, exc_info=True)
            self._close_backend()
            self._send(command)

    def _close_backend(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except Exception:
                log.debug("%s: close failed", self.name, exc_info=True)
