"""Modbus RTU framing for the distance register. Pure: bytes in, readings out, no I/O."""

from __future__ import annotations

import time
from collections.abc import Callable

from hardware.tof.constants import (
    BYTES_PER_REGISTER,
    CRC_BYTES,
    DEFAULT_SLAVE_ID,
    DISTANCE_REGISTER,
    EXCEPTION_RESPONSE_LENGTH,
    MAX_REGISTER,
    MAX_SLAVE_ID,
    REGISTER_COUNT,
    RESPONSE_HEADER_LENGTH,
)
from hardware.tof.crc import append_crc, check_crc
from hardware.tof.enums import ExceptionCode, FunctionCode
from hardware.tof.reading import DEFAULT_LIMITS, RangeLimits, Reading, classify

Clock = Callable[[], float]

_READ = FunctionCode.READ_HOLDING_REGISTERS
_READ_EXCEPTION = FunctionCode.READ_HOLDING_REGISTERS | FunctionCode.EXCEPTION_FLAG


def _check_ids(slave_id: int, register: int, count: int) -> None:
    if not 1 <= slave_id <= MAX_SLAVE_ID:
        raise ValueError(f"Modbus slave id must be 1..{MAX_SLAVE_ID}, got {slave_id}")
    if not 0 <= register <= MAX_REGISTER:
        raise ValueError(f"register address must be 0..0xFFFF, got {register}")
    if not 1 <= count <= MAX_REGISTER:
        raise ValueError(f"register count must be positive, got {count}")


def build_read_request(
    slave_id: int = DEFAULT_SLAVE_ID,
    register: int = DISTANCE_REGISTER,
    count: int = REGISTER_COUNT,
) -> bytes:
    """Read-holding-registers (0x03) request frame, CRC appended."""
    _check_ids(slave_id, register, count)
    body = bytes([slave_id, _READ]) + register.to_bytes(2, "big") + count.to_bytes(2, "big")
    return append_crc(body)


def build_read_response(slave_id: int, values: list[int]) -> bytes:
    """The slave's answer carrying values; used by fakes and tests."""
    payload = b"".join(v.to_bytes(BYTES_PER_REGISTER, "big") for v in values)
    return append_crc(bytes([slave_id, _READ, len(payload)]) + payload)


def build_exception_response(slave_id: int, code: int) -> bytes:
    return append_crc(bytes([slave_id, _READ_EXCEPTION, code]))


def response_length(count: int = REGISTER_COUNT) -> int:
    return RESPONSE_HEADER_LENGTH + count * BYTES_PER_REGISTER + CRC_BYTES


class ModbusResponseParser:
    """Streaming parser for responses to build_read_request.

    Resynchronises by scanning for the slave id; a candidate frame whose header does not
    fit or whose CRC fails costs one byte (not the whole frame), so a real frame hidden
    behind a false start is still found. Our own request echoed back (RS-485 adapters)
    fails the byte-count check and is skipped. Errors are counted, never raised.
    """

    def __init__(
        self,
        slave_id: int = DEFAULT_SLAVE_ID,
        count: int = REGISTER_COUNT,
        limits: RangeLimits = DEFAULT_LIMITS,
        clock: Clock = time.monotonic,
    ) -> None:
        _check_ids(slave_id, 0, count)
        self.slave_id = slave_id
        self.count = count
        self.limits = limits
        self._clock = clock
        self._byte_count = count * BYTES_PER_REGISTER
        self._buffer = bytearray()
        self.frames = 0
        self.crc_errors = 0
        self.exceptions = 0
        self.last_exception: int | None = None
        self.discarded_bytes = 0

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buffer)

    def reset(self) -> None:
        """Forget buffered bytes (new connection); counters are kept."""
        self._buffer.clear()

    def feed(self, data: bytes) -> list[Reading]:
        buf = self._buffer
        buf += data
        readings: list[Reading] = []
        pos = 0
        while True:
            start = buf.find(self.slave_id, pos)
            if start < 0:
                self.discarded_bytes += len(buf) - pos
                pos = len(buf)
                break
            self.discarded_bytes += start - pos
            pos = start
            length = self._frame_length(buf, pos)
            if length is None:  # need more bytes to decide
                break
            if length == 0:  # not a frame start: skip this byte
                pos += 1
                self.discarded_bytes += 1
                continue
            if len(buf) - pos < length:
                break
            frame = bytes(buf[pos : pos + length])
            if not check_crc(frame):
                self.crc_errors += 1
                self.discarded_bytes += 1
                pos += 1
                continue
            pos += length
            self._accept(frame, readings)
        del buf[:pos]
        return readings

    def _frame_length(self, buf: bytearray, pos: int) -> int | None:
        """Expected length of a frame at pos; 0 = cannot be a frame; None = need more."""
        available = len(buf) - pos
        if available < 2:
            return None
        function = buf[pos + 1]
        if function == _READ_EXCEPTION:
            return EXCEPTION_RESPONSE_LENGTH
        if function != _READ:
            return 0
        if available < RESPONSE_HEADER_LENGTH:
            return None
        if buf[pos + 2] != self._byte_count:
            return 0
        return RESPONSE_HEADER_LENGTH + self._byte_count + CRC_BYTES

    def _accept(self, frame: bytes, readings: list[Reading]) -> None:
        if frame[1] == _READ_EXCEPTION:
            self.exceptions += 1
            self.last_exception = frame[2]
            return
        self.frames += 1
        first = RESPONSE_HEADER_LENGTH
        raw = int.from_bytes(frame[first : first + BYTES_PER_REGISTER], "big")
        readings.append(classify(raw, self._clock(), self.limits))


def describe_exception(code: int | None) -> str:
    if code is None:
        return "none"
    try:
        return f"0x{code:02X} {ExceptionCode(code).name}"
    except ValueError:
        return f"0x{code:02X}"
