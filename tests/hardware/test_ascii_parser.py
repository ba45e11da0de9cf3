"""The ASCII output mode parser (pure, no I/O)."""

from __future__ import annotations

import pytest

from hardware.tof.ascii import AsciiLineParser
from hardware.tof.enums import ReadingStatus


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"d: 123 mm", 123),
        (b"123mm", 123),
        (b"123 MM", 123),
        (b"Distance=456", 456),
        (b"dist: 789", 789),
        (b"1500", 1500),
        (b"  d: 640 mm  ", 640),
        (b"Range Valid, 321mm", 321),
    ],
)
def test_liberal_line_formats(line: bytes, expected: int) -> None:
    readings = AsciiLineParser().feed(line + b"\r\n")
    assert [r.distance_mm for r in readings] == [expected]


def test_status_and_junk_lines_are_not_readings() -> None:
    parser = AsciiLineParser()
    stream = b"State;0 , Range Valid\r\nhello\r\n\r\n1 2 3\r\nd: 99 mm\r\n"
    assert [r.distance_mm for r in parser.feed(stream)] == [99]
    assert parser.state_lines == 1
    assert parser.last_state == "State;0 , Range Valid"
    assert parser.bad_lines == 2


def test_status_of_values() -> None:
    parser = AsciiLineParser()
    readings = parser.feed(b"d: 65535 mm\r\nd: 8190 mm\r\nd: 5 mm\r\nd: 800 mm\r\n")
    assert [r.status for r in readings] == [
        ReadingStatus.NO_TARGET,
        ReadingStatus.OUT_OF_RANGE,
        ReadingStatus.OUT_OF_RANGE,
        ReadingStatus.OK,
    ]
    assert readings[0].distance_mm is None


def test_lines_split_across_reads_and_any_line_end() -> None:
    parser = AsciiLineParser()
    assert parser.feed(b"d: 1") == []
    assert parser.feed(b"23 m") == []
    assert [r.distance_mm for r in parser.feed(b"m\rd: 45 mm\nd: 67 mm\r")] == [123, 45, 67]


def test_unsynced_parser_drops_the_partial_first_line() -> None:
    parser = AsciiLineParser(synced=False)
    assert [r.distance_mm for r in parser.feed(b"3 mm\r\nd: 400 mm\r\n")] == [400]


def test_noise_inside_a_line_rejects_it_leading_noise_is_stripped() -> None:
    parser = AsciiLineParser()
    readings = parser.feed(b"\x00\xffd: 100 mm\r\nd: 1\x0023 mm\r\nd: 300 mm\r\n")
    assert [r.distance_mm for r in readings] == [100, 300]
    assert parser.bad_lines == 1


def test_endless_line_resynchronises() -> None:
    parser = AsciiLineParser(max_line=16)
    assert parser.feed(b"x" * 40) == []
    assert parser.pending == 0
    # the rest of the broken line is dropped up to its end, then lines parse again
    assert [r.distance_mm for r in parser.feed(b"xx 7 mm\r\nd: 555 mm\r\n")] == [555]
