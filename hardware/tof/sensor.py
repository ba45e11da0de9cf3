"""TofSensor: the real sensor on a serial port, read on a background thread."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from hardware.backoff import Backoff
from hardware.tof.ascii import AsciiLineParser
from hardware.tof.base import Clock, SensorBase
from hardware.tof.constants import (
    DEFAULT_BAUDRATE,
    DEFAULT_POLL_HZ,
    DEFAULT_RECONNECT_INITIAL_S,
    DEFAULT_RECONNECT_MAX_S,
    DEFAULT_SILENCE_TIMEOUT_S,
    DEFAULT_SLAVE_ID,
    DISTANCE_REGISTER,
    READ_TIMEOUT_S,
    WRITE_TIMEOUT_S,
)
from hardware.tof.enums import FaultReason, SensorState, TofMode
from hardware.tof.modbus import (
    ModbusResponseParser,
    build_read_request,
    describe_exception,
    response_length,
)
from hardware.tof.reading import DEFAULT_LIMITS, RangeLimits
from hardware.tof.serial_errors import describe_serial_error

log = logging.getLogger(__name__)

RESPONSE_WINDOW_FRACTION = 0.8  # of the poll period: wait this long for an answer


class SerialPort(Protocol):
    """The part of pyserial's Serial we use (so tests can hand in loop:// or a fake)."""

    @property
    def in_waiting(self) -> int: ...
    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes) -> int | None: ...
    def reset_input_buffer(self) -> None: ...
    def close(self) -> None: ...


SerialFactory = Callable[..., SerialPort]


def _default_factory(url: str, **kwargs: Any) -> SerialPort:
    import serial  # pyserial: imported here so importing hardware.tof stays cheap

    port: SerialPort = serial.serial_for_url(url, **kwargs)
    return port


class TofSensor(SensorBase):
    """Reads a TOF200F-class sensor; never raises out of its thread.

    Modbus mode polls the distance register at poll_hz; ASCII mode reads what the module
    streams. No valid reading for silence_timeout_s -> FAULT(SILENCE or PROTOCOL) while
    polling goes on (so recovery is immediate); port errors -> FAULT(PORT_VANISHED,
    PERMISSION_DENIED, ...), the port is closed and reopened with exponential backoff.
    The first reading after any fault -> OK.
    """

    def __init__(
        self,
        port: str,
        *,
        mode: TofMode | str = TofMode.MODBUS,
        baudrate: int = DEFAULT_BAUDRATE,
        slave_id: int = DEFAULT_SLAVE_ID,
        register: int = DISTANCE_REGISTER,
        poll_hz: float = DEFAULT_POLL_HZ,
        silence_timeout_s: float = DEFAULT_SILENCE_TIMEOUT_S,
        limits: RangeLimits = DEFAULT_LIMITS,
        backoff: Backoff | None = None,
        serial_factory: SerialFactory = _default_factory,
        exclusive: bool = True,
        clock: Clock = time.monotonic,
        name: str = "tof",
    ) -> None:
        super().__init__(name, clock)
        if poll_hz <= 0:
            raise ValueError("poll_hz must be positive")
        if silence_timeout_s <= 0:
            raise ValueError("silence_timeout_s must be positive")
        self.port = port
        self.mode = TofMode(mode)
        self.baudrate = baudrate
        self.slave_id = slave_id
        self.register = register
        self.poll_hz = poll_hz
        self.silence_timeout_s = silence_timeout_s
        self.limits = limits
        self._request = build_read_request(slave_id, register)  # validates ids early
        self._backoff = backoff or Backoff(
            DEFAULT_RECONNECT_INITIAL_S, max_s=DEFAULT_RECONNECT_MAX_S
        )
        self._factory = serial_factory
        self._exclusive = exclusive
        self._opened_once = False
        # One parser for the sensor's lifetime: counters add up across reconnects.
        self._modbus = ModbusResponseParser(slave_id, limits=limits, clock=clock)
        self._ascii = AsciiLineParser(limits, clock, synced=False)

    # -- thread -----------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._session()
            except Exception as exc:
                reason, detail = describe_serial_error(exc, self.port)
                if reason is FaultReason.INTERNAL:
                    log.exception("%s: unexpected error", self.name)
                self._set_status(SensorState.FAULT, reason, detail)
            if self._stop.is_set():
                break
            self._stop.wait(self._backoff.next_delay())

    def _open(self) -> SerialPort:
        options: dict[str, Any] = {
            "baudrate": self.baudrate,
            "bytesize": 8,
            "parity": "N",
            "stopbits": 1,
            "timeout": READ_TIMEOUT_S,
            "write_timeout": WRITE_TIMEOUT_S,
        }
        if self._exclusive and "://" not in self.port:
            options["exclusive"] = True
        return self._factory(self.port, **options)

    def _session(self) -> None:
        port = self._open()
        if self._opened_once:
            self.stats.reconnects += 1
        self._opened_once = True
        try:
            port.reset_input_buffer()
            if self.mode is TofMode.MODBUS:
                self._poll(port)
            else:
                self._stream(port)
        finally:
            try:
                port.close()
            except Exception:
                log.debug("%s: close failed", self.name, exc_info=True)

    def _poll(self, port: SerialPort) -> None:
        parser = self._modbus
        parser.reset()
        period = 1.0 / self.poll_hz
        window = period * RESPONSE_WINDOW_FRACTION
        expected = response_length()
        watch = _SilenceWatch(self._clock(), self.silence_timeout_s)
        next_poll = self._clock()
        while not self._stop.is_set():
            port.write(self._request)
            deadline = self._clock() + window
            answered = False
            while not answered and self._clock() < deadline and not self._stop.is_set():
                data = port.read(max(port.in_waiting, expected))
                if not data:
                    continue
                # Our own request echoed back (RS-485 adapters, loop://) is not an answer.
                echoes = data.count(self._request) * len(self._request)
                watch.bytes_seen += len(data) - echoes
                exceptions_before = parser.exceptions
                for reading in parser.feed(data):
                    answered = True
                    watch.alive(reading.t)
                    self._backoff.reset()
                    self._publish(reading)
                if parser.exceptions > exceptions_before:
                    answered = True
                    watch.exceptions_seen += parser.exceptions - exceptions_before
            self._sync_stats(parser)
            self._check_silence(watch, parser)
            next_poll += period
            now = self._clock()
            if next_poll < now:  # fell behind (slow box): do not burst to catch up
                next_poll = now
            self._stop.wait(next_poll - now)

    def _stream(self, port: SerialPort) -> None:
        parser = self._ascii
        parser.reset(synced=False)  # the module is probably mid-line right now
        watch = _SilenceWatch(self._clock(), self.silence_timeout_s)
        while not self._stop.is_set():
            data = port.read(max(port.in_waiting, 1))
            if data:
                watch.bytes_seen += len(data)
                for reading in parser.feed(data):
                    watch.alive(reading.t)
                    self._backoff.reset()
                    self._publish(reading)
                self.stats.bad_lines = parser.bad_lines
            self._check_silence(watch, None)

    def _sync_stats(self, parser: ModbusResponseParser) -> None:
        self.stats.crc_errors = parser.crc_errors
        self.stats.exceptions = parser.exceptions

    def _check_silence(self, watch: _SilenceWatch, parser: ModbusResponseParser | None) -> None:
        """FAULT when no valid reading came for silence_timeout_s. The detail stays the
        same while the cause does, so listeners hear one FAULT, not one per window."""
        now = self._clock()
        if not watch.expired(now):
            return
        window = f"{self.silence_timeout_s:g} s"
        if watch.bytes_seen == 0:
            reason = FaultReason.SILENCE
            detail = f"{self.port}: no answer for {window} (wiring, power, baud rate?)"
        elif parser is not None and watch.exceptions_seen:
            reason = FaultReason.PROTOCOL
            detail = (
                f"{self.port}: sensor answers Modbus exception "
                f"{describe_exception(parser.last_exception)} (register or slave id?)"
            )
        else:
            reason = FaultReason.PROTOCOL
            detail = f"{self.port}: bytes but no valid reading for {window} (mode, baud rate?)"
        self._set_status(SensorState.FAULT, reason, detail)
        watch.restart(now)


class _SilenceWatch:
    """Tracks when the last valid reading arrived and what came in since."""

    def __init__(self, now: float, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.last_alive = now
        self._window_start = now
        self.bytes_seen = 0
        self.exceptions_seen = 0

    def alive(self, t: float) -> None:
        self.last_alive = t
        self.restart(t)

    def expired(self, now: float) -> bool:
        return now - self._window_start > self.timeout_s

    def restart(self, now: float) -> None:
        """Start a new observation window (the fault detail describes the latest one)."""
        self._window_start = now
        self.bytes_seen = 0
        self.exceptions_seen = 0
