"""SimulatedTof: the approach profile (pure) and the sensor thread."""

from __future__ import annotations

import threading

import pytest

from hardware.tof.enums import ReadingStatus, SensorState
from hardware.tof.reading import Reading
from hardware.tof.simulated import ApproachProfile, SimulatedTof, approach_distance
from hardware.tof.wake import WakeDetector, WakeEvent, WakeState
from tests.support.hardware import WAIT_S

PROFILE = ApproachProfile(
    period_s=10, offset_s=1, start_mm=1900, near_mm=400, approach_s=2, dwell_s=3, leave_s=1
)


def test_profile_far_near_far_and_loops() -> None:
    assert approach_distance(PROFILE, 0.5) is None  # nobody yet
    assert approach_distance(PROFILE, 1.0) == 1900  # appears at the edge of range
    assert approach_distance(PROFILE, 2.0) == 1150  # half way
    near = [approach_distance(PROFILE, 3.0 + i * 0.1) for i in range(30)]
    assert all(d is not None and abs(d - 400) <= 20 for d in near)  # standing, swaying
    assert approach_distance(PROFILE, 6.5) == 1150  # walking away
    assert approach_distance(PROFILE, 8.0) is None
    for t in (0.5, 2.0, 4.0, 6.5):
        assert approach_distance(PROFILE, t + 10) == approach_distance(PROFILE, t)


def test_profile_must_fit_its_period() -> None:
    with pytest.raises(ValueError):
        ApproachProfile(period_s=5, offset_s=1, approach_s=2, dwell_s=3, leave_s=1)


def test_simulated_sensor_wakes_a_detector() -> None:
    fast = ApproachProfile(
        period_s=1.2,
        offset_s=0.1,
        start_mm=1500,
        near_mm=500,
        approach_s=0.2,
        dwell_s=0.5,
        leave_s=0.2,
    )
    sensor = SimulatedTof(fast, poll_hz=50)
    detector = WakeDetector(consecutive=3, idle_after_s=0.2)
    sensor.add_reading_listener(detector.update)
    events: list[WakeEvent] = []
    both = threading.Event()

    def on_wake(event: WakeEvent) -> None:
        events.append(event)
        if len(events) >= 2:
            both.set()

    detector.add_listener(on_wake)
    readings: list[Reading] = []
    sensor.add_reading_listener(readings.append)
    with sensor:
        assert both.wait(WAIT_S)
        assert sensor.state is SensorState.OK
    assert [e.state for e in events[:2]] == [WakeState.AWAKE, WakeState.IDLE]
    assert {r.status for r in readings} >= {ReadingStatus.OK, ReadingStatus.NO_TARGET}
    assert sensor.state is SensorState.CLOSED
