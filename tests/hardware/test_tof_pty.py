"""TofSensor against a fake sensor process on a pseudo-terminal: real serial I/O."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from hardware.backoff import Backoff
from hardware.tof.base import SensorStatus
from hardware.tof.enums import FaultReason, ReadingStatus, SensorState, TofMode
from hardware.tof.reading import Reading
from hardware.tof.sensor import TofSensor
from tests.support.hardware import WAIT_S, FakeTofFactory

EXPECTED = {
    500: ReadingStatus.OK,
    800: ReadingStatus.OK,
    65535: ReadingStatus.NO_TARGET,
    2500: ReadingStatus.OUT_OF_RANGE,
    20: ReadingStatus.OUT_OF_RANGE,
}


class Recorder:
    """Collects readings and states from a sensor and lets the test wait for them."""

    def __init__(self, sensor: TofSensor) -> None:
        self.readings: list[Reading] = []
        self.states: list[SensorStatus] = []
        self._changed = threading.Condition()
        sensor.add_reading_listener(self._on_reading)
        sensor.add_state_listener(self._on_state)

    def _on_reading(self, reading: Reading) -> None:
        with self._changed:
            self.readings.append(reading)
            self._changed.notify_all()

    def _on_state(self, status: SensorStatus) -> None:
        with self._changed:
            self.states.append(status)
            self._changed.notify_all()

    def wait_readings(self, count: int) -> list[Reading]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.readings) >= count, WAIT_S), (
                f"only {len(self.readings)} readings; states {self.states}"
            )
            return list(self.readings)

    def wait_state(self, state: SensorState, reason: FaultReason | None = None) -> SensorStatus:
        def seen() -> SensorStatus | None:
            for status in self.states:
                if status.state is state and (reason is None or status.reason is reason):
                    return status
            return None

        with self._changed:
            assert self._changed.wait_for(lambda: seen() is not None, WAIT_S), self.states
            found = seen()
            assert found is not None
            return found


def make_sensor(link: Path, backoff: Backoff, **options: Any) -> TofSensor:
    options.setdefault("poll_hz", 50.0)
    options.setdefault("silence_timeout_s", 0.5)
    return TofSensor(str(link), backoff=backoff, **options)


def assert_plausible(readings: list[Reading]) -> None:
    for reading in readings:
        assert reading.raw in EXPECTED, reading
        assert reading.status is EXPECTED[reading.raw]
        assert (reading.distance_mm is None) == (reading.raw == 65535)


def test_normal_readings(fake_tof: FakeTofFactory, tty_link: Path, fast_backoff: Backoff) -> None:
    fake_tof("normal")
    sensor = make_sensor(tty_link, fast_backoff)
    recorder = Recorder(sensor)
    with sensor:
        readings = recorder.wait_readings(10)
        assert sensor.state is SensorState.OK
    assert [r.raw for r in readings[:5]] == [500, 800, 65535, 2500, 20]
    assert_plausible(readings)
    assert [s.state for s in recorder.states][:1] == [SensorState.OK]
    assert sensor.stats.crc_errors == 0


def test_crc_errors_are_counted_and_skipped(
    fake_tof: FakeTofFactory, tty_link: Path, fast_backoff: Backoff
) -> None:
    fake_tof("crc")
    sensor = make_sensor(tty_link, fast_backoff)
    recorder = Recorder(sensor)
    with sensor:
        readings = recorder.wait_readings(6)
    assert_plausible(readings)
    assert sensor.stats.crc_errors >= 5
    assert all(s.state is not SensorState.FAULT for s in recorder.states)


def test_split_frames_with_garbage(
    fake_tof: FakeTofFactory, tty_link: Path, fast_backoff: Backoff
) -> None:
    fake_tof("split")
    sensor = make_sensor(tty_link, fast_backoff)
    recorder = Recorder(sensor)
    with sensor:
        readings = recorder.wait_readings(10)
    assert_plausible(readings)
    assert {r.raw for r in readings} == set(EXPECTED)


def test_silence_is_a_fault_and_recovers(
    fake_tof: FakeTofFactory, tty_link: Path, fast_backoff: Backoff
) -> None:
    fake_tof("silence", "--after", "5", "--silent-for", "1.5")
    sensor = make_sensor(tty_link, fast_backoff)
    recorder = Recorder(sensor)
    with sensor:
        fault = recorder.wait_state(SensorState.FAULT, FaultReason.SILENCE)
        assert str(tty_link) in fault.detail
        recorder.wait_readings(8)  # answers again after the silence
        with recorder._changed:
            assert recorder._changed.wait_for(
                lambda: recorder.states[-1].state is SensorState.OK, WAIT_S
            )
    states = [s.state for s in recorder.states]
    assert states[:3] == [SensorState.OK, SensorState.FAULT, SensorState.OK]


def test_disconnect_then_a_new_sensor_appears(
    fake_tof: FakeTofFactory, tty_link: Path, fast_backoff: Backoff
) -> None:
    first = fake_tof("disconnect", "--after", "5")
    sensor = make_sensor(tty_link, fast_backoff)
    recorder = Recorder(sensor)
    with sensor:
        fault = recorder.wait_state(SensorState.FAULT, FaultReason.PORT_VANISHED)
        assert first.wait(WAIT_S) == 0
        assert len(recorder.readings) == 5
        fake_tof("normal")  # plugged in again: same link, new pty
        with recorder._changed:
            assert recorder._changed.wait_for(
                lambda: recorder.states[-1].state is SensorState.OK, WAIT_S
            )
        recorder.wait_readings(10)
    assert str(tty_link) in fault.detail
    assert sensor.stats.reconnects >= 1


def test_wrong_register_gets_a_protocol_fault(
    fake_tof: FakeTofFactory, tty_link: Path, fast_backoff: Backoff
) -> None:
    fake_tof("normal")
    sensor = make_sensor(tty_link, fast_backoff, register=0x0020)
    with sensor:
        status = sensor.wait_for(lambda s: s.state is SensorState.FAULT, WAIT_S)
    assert status is not None and status.reason is FaultReason.PROTOCOL
    assert "ILLEGAL_DATA_ADDRESS" in status.detail
    assert sensor.stats.exceptions >= 1


def test_ascii_mode(fake_tof: FakeTofFactory, tty_link: Path, fast_backoff: Backoff) -> None:
    fake_tof("ascii", "--rate", "50")
    sensor = make_sensor(tty_link, fast_backoff, mode=TofMode.ASCII)
    recorder = Recorder(sensor)
    with sensor:
        readings = recorder.wait_readings(8)
    assert_plausible(readings)


def test_missing_port_is_a_fault_not_an_exception(tmp_path: Path, fast_backoff: Backoff) -> None:
    sensor = make_sensor(tmp_path / "nothing-here", fast_backoff)
    with sensor:
        status = sensor.wait_for(lambda s: s.state is SensorState.FAULT, WAIT_S)
    assert status is not None and status.reason is FaultReason.PORT_VANISHED
    assert sensor.state is SensorState.CLOSED


@pytest.mark.parametrize(
    ("errno_name", "reason"),
    [
        ("EACCES", FaultReason.PERMISSION_DENIED),
        ("ENOENT", FaultReason.PORT_VANISHED),
        ("EBUSY", FaultReason.PORT_BUSY),
    ],
)
def test_open_errors_are_classified(
    errno_name: str, reason: FaultReason, fast_backoff: Backoff
) -> None:
    import errno
    import os

    import serial

    code = getattr(errno, errno_name)

    def failing_open(url: str, **options: object) -> serial.Serial:
        raise serial.SerialException(code, f"could not open port {url}: {os.strerror(code)}")

    sensor = TofSensor("/dev/ttyTHS1", serial_factory=failing_open, backoff=fast_backoff)
    with sensor:
        status = sensor.wait_for(lambda s: s.state is SensorState.FAULT, WAIT_S)
    assert status is not None and status.reason is reason
    if reason is FaultReason.PERMISSION_DENIED:
        assert "dialout" in status.detail
