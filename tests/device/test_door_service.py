"""The door service with real capture on the sample video, a fake relay and wake gating."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from device.door_service import DoorService
from device.events import EventType
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
    decisions = []
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
    changes = []
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
    service = DoorService(terminal, frames=None, relay=relay)  # type: ignore[arg-type]
    assert service.open_door("test") is False
    assert not relay.energised
    assert EventType.DOOR_OPENED not in _types(terminal)
    assert [a.kind for a in terminal.alerts()] == ["device_fault"]
    assert service.open_door("test") is True
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
