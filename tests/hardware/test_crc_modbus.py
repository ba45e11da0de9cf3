"""CRC-16/MODBUS and Modbus RTU framing (pure, no I/O)."""

from __future__ import annotations

import pytest

from hardware.tof.crc import append_crc, check_crc, crc16_modbus
from hardware.tof.enums import ExceptionCode, ReadingStatus
from hardware.tof.modbus import (
    ModbusResponseParser,
    build_exception_response,
    build_read_request,
    build_read_response,
    describe_exception,
)


def crc_bitwise(data: bytes) -> int:
    """Reference implementation, bit by bit, independent of the table in crc.py."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def clock() -> float:
    return 42.0


def test_crc_check_value() -> None:
    assert crc16_modbus(b"123456789") == 0x4B37  # the catalogue check value


@pytest.mark.parametrize(
    "frame",
    ["01 03 00 00 00 01 84 0A", "01 03 00 00 00 0A C5 CD", "11 03 00 6B 00 03 76 87"],
)
def test_published_frames_check(frame: str) -> None:
    data = bytes.fromhex(frame)
    assert check_crc(data)
    assert append_crc(data[:-2]) == data


def test_table_matches_bitwise_reference() -> None:
    for data in (b"", b"\x00", b"\xff" * 7, bytes(range(256))):
        assert crc16_modbus(data) == crc_bitwise(data)


def test_request_for_the_distance_register() -> None:
    frame = build_read_request()
    assert frame[:6] == bytes([0x50, 0x03, 0x00, 0x10, 0x00, 0x01])
    assert frame[6:] == crc_bitwise(frame[:6]).to_bytes(2, "little")
    custom = build_read_request(slave_id=0x01, register=0x0034)
    assert custom[:6] == bytes.fromhex("010300340001")


@pytest.mark.parametrize("kwargs", [{"slave_id": 0}, {"slave_id": 248}, {"register": 0x10000}])
def test_request_rejects_bad_ids(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        build_read_request(**kwargs)


def test_response_to_readings() -> None:
    parser = ModbusResponseParser(clock=clock)
    data = b"".join(build_read_response(0x50, [v]) for v in (523, 0xFFFF, 2500, 12, 30, 2000))
    readings = parser.feed(data)
    assert [(r.distance_mm, r.status) for r in readings] == [
        (523, ReadingStatus.OK),
        (None, ReadingStatus.NO_TARGET),
        (2500, ReadingStatus.OUT_OF_RANGE),
        (12, ReadingStatus.OUT_OF_RANGE),  # blind zone
        (30, ReadingStatus.OK),
        (2000, ReadingStatus.OK),
    ]
    assert all(r.t == 42.0 for r in readings)
    assert parser.frames == 6 and parser.crc_errors == 0 and parser.pending == 0


def test_frame_split_across_reads() -> None:
    parser = ModbusResponseParser()
    frame = build_read_response(0x50, [777])
    for i in range(len(frame) - 1):
        assert parser.feed(frame[i : i + 1]) == []
    assert [r.distance_mm for r in parser.feed(frame[-1:])] == [777]


def test_crc_error_is_counted_not_raised() -> None:
    parser = ModbusResponseParser()
    bad = bytearray(build_read_response(0x50, [600]))
    bad[4] ^= 0x01
    good = build_read_response(0x50, [700])
    readings = parser.feed(bytes(bad) + good)
    assert [r.distance_mm for r in readings] == [700]
    assert parser.crc_errors >= 1


def test_garbage_and_false_headers_are_skipped() -> None:
    parser = ModbusResponseParser()
    good = build_read_response(0x50, [1234])
    truncated = good[:4]  # a frame cut off by a reset
    noise = b"\x00\x50\x50\x03\x02\x50\x03\xff"  # looks like headers, is not
    readings = parser.feed(noise + truncated + good + b"\x50\x03" + good)
    assert [r.distance_mm for r in readings] == [1234, 1234]


def test_echoed_request_and_other_slaves_are_ignored() -> None:
    parser = ModbusResponseParser()
    stream = build_read_request() + build_read_response(0x01, [5]) + build_read_response(0x50, [6])
    assert [r.distance_mm for r in parser.feed(stream)] == [6]


def test_exception_response_is_counted() -> None:
    parser = ModbusResponseParser()
    stream = build_exception_response(0x50, ExceptionCode.ILLEGAL_DATA_ADDRESS)
    assert parser.feed(stream + build_read_response(0x50, [900]))[0].distance_mm == 900
    assert parser.exceptions == 1
    assert parser.last_exception == ExceptionCode.ILLEGAL_DATA_ADDRESS
    assert "ILLEGAL_DATA_ADDRESS" in describe_exception(parser.last_exception)
    assert describe_exception(0x42) == "0x42"


def test_pending_bytes_stay_bounded_on_noise() -> None:
    parser = ModbusResponseParser()
    parser.feed(bytes([0x00, 0x11, 0x22]) * 1000)
    assert parser.pending == 0
    assert parser.discarded_bytes == 3000
