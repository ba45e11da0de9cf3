"""Parsers and TofSensor through pyserial's loop:// port (real pyserial, no device)."""

from __future__ import annotations

import threading
from typing import Any

import serial

from hardware.backoff import Backoff
from hardware.tof.ascii import AsciiLineParser
from hardware.tof.enums import FaultReason, SensorState, TofMode
from hardware.tof.modbus import ModbusResponseParser, build_read_request, build_read_response
from hardware.tof.reading import Reading
from hardware.tof.sensor import TofSensor
from tests.support.hardware import WAIT_S


def read_all(port: Any, parser: ModbusResponseParser | AsciiLineParser) -> list[Reading]:
    readings = []
    while data := port.read(5):  # small reads: frames arrive in pieces
        readings.extend(parser.feed(data))
    return readings


def test_modbus_frames_through_the_serial_layer() -> None:
    port = serial.serial_for_url("loop://", timeout=0.05)
    try:
        port.write(build_read_request())  # our own request, echoed: must be ignored
        for value in (400, 0xFFFF, 2100):
            port.write(b"\x13\x37" + build_read_response(0x50, [value]))
        readings = read_all(port, ModbusResponseParser())
    finally:
        port.close()
    assert [r.distance_mm for r in readings] == [400, None, 2100]


def test_ascii_lines_through_the_serial_layer() -> None:
    port = serial.serial_for_url("loop://", timeout=0.05)
    try:
        port.write(b"mm\r\nState;0 , Range Valid\r\nd: 812 mm\r\n\xffd: 95 mm\r\n")
        readings = read_all(port, AsciiLineParser(synced=False))
    finally:
        port.close()
    assert [r.distance_mm for r in readings] == [812, 95]


class SharedLoop:
    """Hands the sensor one loop:// port the test can write into."""

    def __init__(self) -> None:
        self.port = serial.serial_for_url("loop://", timeout=0.05)
        self.opened = 0

    def __call__(self, url: str, **options: Any) -> Any:
        assert url == "loop://"
        assert options["baudrate"] == 115200 and options["bytesize"] == 8
        self.opened += 1
        return self.port


def test_sensor_ascii_mode_over_loop() -> None:
    loop = SharedLoop()
    sensor = TofSensor("loop://", mode=TofMode.ASCII, serial_factory=loop, silence_timeout_s=5)
    got = threading.Event()
    readings: list[Reading] = []

    def on_reading(reading: Reading) -> None:
        readings.append(reading)
        if len(readings) >= 3:
            got.set()

    sensor.add_reading_listener(on_reading)
    with sensor:
        loop.port.write(b"\r\nd: 100 mm\r\nd: 200 mm\r\nd: 65535 mm\r\n")
        assert got.wait(WAIT_S)
        assert sensor.state is SensorState.OK
    assert [r.distance_mm for r in readings[:3]] == [100, 200, None]
    assert sensor.latest() is readings[-1]
    assert sensor.state is SensorState.CLOSED


def test_sensor_modbus_mode_ignores_its_echo_and_reports_silence() -> None:
    sensor = TofSensor(
        "loop://",
        poll_hz=50,
        silence_timeout_s=0.2,
        backoff=Backoff(0.05, max_s=0.1, jitter=0),
    )
    with sensor:
        status = sensor.wait_for(lambda s: s.state is SensorState.FAULT, WAIT_S)
    assert status is not None
    assert status.reason is FaultReason.SILENCE
    assert "no answer" in status.detail
    assert sensor.latest() is None
