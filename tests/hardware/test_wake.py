"""WakeDetector with explicit timestamps: no sleeping."""

from __future__ import annotations

from typing import Any

import pytest

from hardware.tof.enums import ReadingStatus
from hardware.tof.reading import Reading, classify
from hardware.tof.wake import WakeDetector, WakeEvent, WakeState


def feed(
    detector: WakeDetector, distances: list[int | None], start: float = 0.0, step: float = 0.1
) -> list[WakeEvent]:
    events = []
    for i, distance in enumerate(distances):
        event = detector.update(classify(distance, start + i * step))
        if event is not None:
            events.append(event)
    return events


def test_awake_after_n_consecutive_near_readings() -> None:
    detector = WakeDetector(wake_distance_mm=1000, consecutive=3, idle_after_s=10)
    assert feed(detector, [1500, 900, 800]) == []
    assert detector.state is WakeState.IDLE
    events = feed(detector, [700], start=0.3)
    assert events == [WakeEvent(WakeState.AWAKE, 0.3, 700)]
    assert detector.state is WakeState.AWAKE and detector.present


def test_a_far_or_missing_reading_breaks_the_streak() -> None:
    detector = WakeDetector(consecutive=3)
    assert feed(detector, [900, 900, 1200, 900, None, 900, 900, 65535, 900]) == []
    assert detector.state is WakeState.IDLE


def test_out_of_range_and_blind_zone_do_not_count() -> None:
    detector = WakeDetector(consecutive=2)
    assert feed(detector, [10, 10, 10, 2500, 2500]) == []
    detector.observe(500, ReadingStatus.OUT_OF_RANGE, 1.0)
    assert detector.state is WakeState.IDLE


def test_idle_after_t_seconds_without_presence() -> None:
    detector = WakeDetector(consecutive=3, idle_after_s=10)
    feed(detector, [500, 500, 500])  # awake at t=0.2
    assert feed(detector, [None] * 50, start=0.3, step=0.1) == []  # until t=5.2
    assert detector.tick(10.1) is None  # 9.9 s after the last presence
    event = detector.tick(10.2)
    assert event == WakeEvent(WakeState.IDLE, 10.2)
    assert detector.state is WakeState.IDLE
    assert detector.tick(30.0) is None  # only one transition


def test_idle_is_also_noticed_on_a_reading() -> None:
    detector = WakeDetector(consecutive=1, idle_after_s=5)
    feed(detector, [400])
    events = feed(detector, [1800], start=6.0)
    assert events == [WakeEvent(WakeState.IDLE, 6.0)]


def test_presence_keeps_it_awake() -> None:
    detector = WakeDetector(consecutive=3, idle_after_s=2)
    events = feed(detector, [600] * 100, step=0.1)  # 10 s of someone standing there
    assert [e.state for e in events] == [WakeState.AWAKE]
    assert detector.tick(9.9 + 1.9) is None
    assert detector.tick(9.9 + 2.0) is not None


def test_listeners_and_reset() -> None:
    detector = WakeDetector(consecutive=1)
    heard: list[WakeEvent] = []
    unsubscribe = detector.add_listener(heard.append)
    detector.add_listener(lambda _: (_ for _ in ()).throw(RuntimeError("bad listener")))
    detector.update(Reading(300, ReadingStatus.OK, 1.0))
    assert detector.reset(2.0) == WakeEvent(WakeState.IDLE, 2.0)
    assert detector.reset(3.0) is None
    unsubscribe()
    detector.update(Reading(300, ReadingStatus.OK, 4.0))
    assert [e.state for e in heard] == [WakeState.AWAKE, WakeState.IDLE]


@pytest.mark.parametrize(
    "kwargs", [{"wake_distance_mm": 0}, {"consecutive": 0}, {"idle_after_s": 0}]
)
def test_rejects_nonsense_settings(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        WakeDetector(**kwargs)
