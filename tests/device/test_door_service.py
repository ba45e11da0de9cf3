"""The door service with real capture on the sample video, a fake relay and wake gating."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from device.attendance import DoorDecision
from device.door_service import DoorService
from device.events import DoorOpenReason, EventType
from device.storage.db import read_transaction
from device.storage.schema import events
from device.terminal import Terminal
from hardware.camera.capture import CaptureThread
from hardware.camera.spec import open_source
from hardware.relay.fake import FakeRelay


def _types(terminal: Terminal) -> list[str]:
    with read_transaction(terminal.database.engine) as c:
        return [r.type for r in c.execute(sa.select(events.c.type).order_by(events.c.position))]


@pytest.mark.slow
def test_recognised_person_opens_the_door_and_is_logged(enrolled_db: Path, data_dir: Path) -> None:
    terminal = Terminal.open(enrolled_db)
    capture = CaptureThread(open_source(str(data_dir / "video" / "short_hamilton_clip.mp4")))
    relay = FakeRelay()
    service = DoorService(terminal, capture, relay, awake=True)
    decisions: list[DoorDecision] = []
    service.subscribe("decision", decisions.append)
    capture.start()
    capture.wait_for(lambda s: s.state.value == "running", 10)
    service.start()
    try:
        deadline = time.monotonic() + 60
        while not any(d.person_id for d in decisions) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        service.stop()
        capture.close()
    granted = [d for d in decisions if d.open_door]
    assert granted and granted[0].person_id == "lin_manuel_miranda"
    assert len(relay.pulses) == len(granted)
    assert _types(terminal).count(EventType.DOOR_OPENED) == len(granted)
    relay.close()
    terminal.close()


def test_nothing_is_processed_while_nobody_is_at_the_door(enrolled_db: Path,
                                                          data_dir: Path) -> None:
    terminal = Terminal.open(enrolled_db)
    capture = CaptureThread(open_source(str(data_dir / "video" / "short_hamilton_clip.mp4")))
    service = DoorService(terminal, capture, FakeRelay(), awake=False)
    changes: list[bool] = []
    service.subscribe("awake", changes.append)
    capture.start()
    service.start()
    try:
        time.sleep(1.0)
        assert service.frames_processed == 0
        service.set_awake(True)
        deadline = time.monotonic() + 20
        while service.frames_processed == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.frames_processed > 0
        service.set_awake(False)
        assert changes == [True, False]
    finally:
        service.stop()
        capture.close()
        terminal.close()


def test_a_failing_relay_raises_an_alert_and_logs_no_opening(enrolled_db: Path) -> None:
    terminal = Terminal.open(enrolled_db)
    relay = FakeRelay(fail_energise=1)
    # frames=None: no camera; this test never starts the loop.
    service = DoorService(terminal, frames=None, relay=relay)  # type: ignore[arg-type]
    assert service.open_door(DoorOpenReason.FLEET_COMMAND) is False
    assert not relay.energised
    assert EventType.DOOR_OPENED not in _types(terminal)
    assert [a.kind for a in terminal.alerts()] == ["device_fault"]
    assert service.open_door(DoorOpenReason.FLEET_COMMAND) is True
    assert _types(terminal).count(EventType.DOOR_OPENED) == 1
    relay.close()
    terminal.close()


def test_the_door_starts_its_http_api_with_the_live_camera(enrolled_db: Path, monkeypatch,
                                                          data_dir: Path) -> None:
    import socket
    import urllib.request

    from device.runtime import build_door

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("FACEGATE_API_PORT", str(port))
    door = build_door(enrolled_db, "dev-pc", always_awake=True, serve_http=True)
    door.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as reply:
            assert reply.status == 200
    finally:
        door.close()


def _headless_profile(first_approach_s: float):
    from hardware.profiles.model import CameraConfig, HardwareProfile, TofConfig, TofKind

    # the profile says 1000 mm; the device setting decides
    return HardwareProfile("test-headless", CameraConfig("fake://?width=160&height=120&fps=5"),
                           TofConfig(kind=TofKind.SIMULATED, poll_hz=20.0,
                                     approach_every_s=30.0, first_approach_s=first_approach_s,
                                     wake_distance_mm=1000))


def test_a_headless_door_wakes_at_the_distance_another_process_sets(db_path: Path) -> None:
    """`python -m device run` has no screen: the door itself follows wake_distance_mm."""
    from device.runtime import build_door
    from hardware.tof.wake import WakeState

    Terminal.open(db_path).close()
    door = build_door(db_path, _headless_profile(first_approach_s=2.5), serve_http=False)
    woke = []
    door.hardware.wake.add_listener(lambda e: woke.append(e))
    other = Terminal.open(db_path)  # the CLI, the HTTP API or the sync agent
    door.start()
    try:
        assert door.hardware.wake.wake_distance_mm == 1000
        other.change_settings(wake_distance_mm=1500)  # while nobody is there: no frames
        deadline = time.monotonic() + 2.0
        while door.hardware.wake.wake_distance_mm != 1500 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert door.hardware.wake.wake_distance_mm == 1500
        assert not door.service.awake  # the change came before the approach
        deadline = time.monotonic() + 15
        while not woke and time.monotonic() < deadline:
            time.sleep(0.05)
        assert woke and woke[0].state is WakeState.AWAKE
        # the simulated person walks from 1900 mm to 450 mm: it woke nearer than 1500 mm,
        # long before 1000 mm (the profile's distance, all a headless door had before)
        assert woke[0].distance_mm is not None and 1000 < woke[0].distance_mm < 1500
        deadline = time.monotonic() + 2.0
        while not door.service.awake and time.monotonic() < deadline:
            time.sleep(0.05)
        assert door.service.awake
    finally:
        door.close()
        other.close()


def test_the_setting_wins_over_the_profile_from_the_start(db_path: Path) -> None:
    from device.runtime import build_door

    other = Terminal.open(db_path)
    other.change_settings(wake_distance_mm=600)
    door = build_door(db_path, _headless_profile(first_approach_s=20.0), serve_http=False)
    try:
        assert door.hardware.wake.wake_distance_mm == 600
    finally:
        door.close()
        other.close()


def test_the_service_follows_settings_while_asleep(db_path: Path) -> None:
    from hardware.tof.wake import WakeDetector

    terminal = Terminal.open(db_path)
    other = Terminal.open(db_path)
    wake = WakeDetector(1000)
    relay = FakeRelay()
    # frames=None: no camera; this test never starts the loop.
    service = DoorService(terminal, frames=None, relay=relay, awake=False,  # type: ignore[arg-type]
                          wake=wake)
    try:
        other.change_settings(wake_distance_mm=250, match_threshold=0.45, recheck_seconds=3)
        service._last_settings_poll = 0.0
        service._follow_settings()
        assert wake.wake_distance_mm == 250
        pipeline = service.loop.pipeline
        assert (pipeline.threshold, pipeline.recheck_seconds) == (0.45, 3.0)
    finally:
        relay.close()
        terminal.close()
        other.close()
