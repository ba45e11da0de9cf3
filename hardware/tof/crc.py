"""CRC-16/MODBUS: reflected polynomial 0xA001, init 0xFFFF, sent little-endian."""

from __future__ import annotations

from typing import Final

POLYNOMIAL: Final = 0xA001
INITIAL: Final = 0xFFFF
_BITS_PER_BYTE: Final = 8


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(_BITS_PER_BYTE):
            crc = (crc >> 1) ^ POLYNOMIAL if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE: Final = _make_table()


def crc16_modbus(data: bytes | bytearray | memoryview) -> int:
    crc = INITIAL
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def crc_bytes(data: bytes | bytearray | memoryview) -> bytes:
    """The two CRC bytes to append to data (low byte first)."""
    return crc16_modbus(data).to_bytes(2, "little")


def append_crc(data: bytes | bytearray) -> bytes:
    return bytes(data) + crc_bytes(data)


def check_crc(frame: bytes | bytearray | memoryview) -> bool:
    """True when the last two bytes of frame are the CRC of the rest."""
    if len(frame) < 3:
        return False
    body = bytes(frame[:-2])
    return crc_bytes(body) == bytes(frame[-2:])
