"""Enumerations of the TOF sensor layer (values are stable strings/ints: they reach JSON/logs)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ReadingStatus(StrEnum):
    OK = "ok"
    NO_TARGET = "no_target"
    OUT_OF_RANGE = "out_of_range"


class TofMode(StrEnum):
    MODBUS = "modbus"  # we poll: read-holding-registers request, RTU response
    ASCII = "ascii"  # the module streams text lines on its own


class SensorState(StrEnum):
    CONNECTING = "connecting"  # started, no reading yet
    OK = "ok"
    FAULT = "fault"  # see SensorStatus.reason / detail
    CLOSED = "closed"


class FaultReason(StrEnum):
    SILENCE = "silence"  # port open, sensor does not answer
    PROTOCOL = "protocol"  # bytes arrive but no valid frame / Modbus exception replies
    PORT_VANISHED = "port_vanished"  # unplugged, pty closed, no such device
    PERMISSION_DENIED = "permission_denied"
    PORT_BUSY = "port_busy"  # another process holds the port
    IO_ERROR = "io_error"
    INTERNAL = "internal"  # a bug; logged with traceback, retried like the others


class FunctionCode(IntEnum):
    READ_HOLDING_REGISTERS = 0x03
    EXCEPTION_FLAG = 0x80


class ExceptionCode(IntEnum):
    ILLEGAL_FUNCTION = 0x01
    ILLEGAL_DATA_ADDRESS = 0x02
    ILLEGAL_DATA_VALUE = 0x03
    SLAVE_DEVICE_FAILURE = 0x04
    ACKNOWLEDGE = 0x05
    SLAVE_DEVICE_BUSY = 0x06
