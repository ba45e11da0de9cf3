"""Hypothesis properties of the two stream parsers."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardware.tof.ascii import AsciiLineParser
from hardware.tof.crc import check_crc, crc_bytes
from hardware.tof.modbus import ModbusResponseParser, build_read_response

SLAVE = 0x50
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

values_st = st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=15)
# Garbage never contains the slave id: with it, garbage could itself be a valid frame.
modbus_garbage_st = st.binary(max_size=8).map(lambda b: bytes(x for x in b if x != SLAVE))
# Non-printable noise without line ends (printable noise is indistinguishable from text).
noise_st = st.lists(
    st.integers(0, 255).filter(lambda b: not 0x20 <= b <= 0x7E and b not in (0x0A, 0x0D)),
    max_size=6,
).map(bytes)


def chunked(data: bytes, draw: Callable[..., Any]) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@st.composite
def modbus_stream(draw: st.DrawFn) -> tuple[list[int], list[bytes]]:
    values = draw(values_st)
    parts = []
    for value in values:
        parts.append(draw(modbus_garbage_st))
        parts.append(build_read_response(SLAVE, [value]))
    parts.append(draw(modbus_garbage_st))
    return values, chunked(b"".join(parts), draw)


@PROPERTY_SETTINGS
@given(modbus_stream())
def test_modbus_any_chunking_with_garbage_yields_the_same_readings(
    case: tuple[list[int], list[bytes]],
) -> None:
    values, chunks = case
    parser = ModbusResponseParser(SLAVE)
    raws = [r.raw for chunk in chunks for r in parser.feed(chunk)]
    assert raws == values


@PROPERTY_SETTINGS
@given(st.binary(max_size=300), st.data())
def test_modbus_parser_never_raises_and_only_reports_valid_frames(
    noise: bytes, data: st.DataObject
) -> None:
    parser = ModbusResponseParser(SLAVE)
    for chunk in chunked(noise, data.draw):
        for reading in parser.feed(chunk):
            assert reading.raw is not None
            frame = build_read_response(SLAVE, [reading.raw])
            assert frame in noise  # every reading is a CRC-valid frame that was really sent


@PROPERTY_SETTINGS
@given(
    st.binary(min_size=1, max_size=20),
    st.data(),
)
def test_crc_detects_any_single_byte_corruption(body: bytes, data: st.DataObject) -> None:
    frame = bytearray(body + crc_bytes(body))
    assert check_crc(frame)
    index = data.draw(st.integers(0, len(frame) - 1))
    flip = data.draw(st.integers(1, 255))
    frame[index] ^= flip
    assert not check_crc(frame)


@PROPERTY_SETTINGS
@given(st.integers(0, 0xFFFF), st.integers(0, 6), st.integers(1, 255))
def test_corrupted_response_yields_no_reading(value: int, index: int, flip: int) -> None:
    frame = bytearray(build_read_response(SLAVE, [value]))
    frame[index] ^= flip
    assert ModbusResponseParser(SLAVE).feed(bytes(frame)) == []


line_formats = st.sampled_from(["d: {} mm", "{}mm", "{} mm", "Distance={}", "{}"])


@st.composite
def ascii_stream(draw: st.DrawFn, noise_anywhere: bool = False) -> tuple[list[int], bytes]:
    values = draw(st.lists(st.integers(0, 99999), min_size=1, max_size=12))
    lines = []
    for value in values:
        line = draw(line_formats).format(value).encode()
        if noise_anywhere:
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(noise_st) + line[at:]
        else:
            line = draw(noise_st) + line
        if draw(st.booleans()):
            lines.append(b"State;0 , Range Valid\r\n")
        lines.append(line + draw(st.sampled_from([b"\r\n", b"\n", b"\r"])))
    return values, b"".join(lines)


@PROPERTY_SETTINGS
@given(ascii_stream(), st.data())
def test_ascii_any_chunking_with_leading_noise_yields_the_same_readings(
    case: tuple[list[int], bytes], data: st.DataObject
) -> None:
    values, stream = case
    parser = AsciiLineParser()
    raws = [r.raw for chunk in chunked(stream, data.draw) for r in parser.feed(chunk)]
    assert raws == values


@PROPERTY_SETTINGS
@given(ascii_stream(noise_anywhere=True), st.data())
def test_ascii_noise_anywhere_never_invents_a_reading(
    case: tuple[list[int], bytes], data: st.DataObject
) -> None:
    values, stream = case
    parser = AsciiLineParser()
    raws = [r.raw for chunk in chunked(stream, data.draw) for r in parser.feed(chunk)]
    remaining: Iterator[int | None] = iter(values)
    assert all(raw in remaining for raw in raws)  # an in-order subsequence of what was sent
