"""Sealed snapshots and face crops are decrypted on a worker thread, never on the GUI
thread: a placeholder first, the picture when the worker is done; one that cannot be read
is a placeholder too, and nothing raises."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from device.attendance import Attendance
from device.recognition.decision import Match, Verdict
from gui.screens.alerts import LOADING
from gui.sealed_images import ImageKind
from tests.support.gui import MakeGui, login, open_tile, row, shoot, wait_until

LIN = "lin_manuel_miranda"
STRANGER = Match(Verdict.UNKNOWN, None, 0.74, None, None)


def _snapshot(shade: int) -> np.ndarray:
    rgb = np.full((120, 120, 3), shade, np.uint8)
    rgb[30:90, 30:90] = 255 - shade  # something to see
    return rgb


class Gate:
    """Wraps a read: records the threads it runs on and holds it until opened."""

    def __init__(self, read: Callable[[str], object]) -> None:
        self.read = read
        self.open = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self, key: str) -> object:
        self.threads.append(threading.current_thread())
        assert self.open.wait(10), "the test never opened the gate"
        return self.read(key)


def test_the_alerts_screen_shows_a_placeholder_then_the_snapshot(
        qtbot: QtBot, make_gui: MakeGui, db_path: Path, screenshot_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_gui(db_path)
    terminal = app.door.terminal
    Attendance(terminal.store).on_match(STRANGER, _snapshot(60))
    gate = Gate(terminal.alert_snapshot)
    monkeypatch.setattr(terminal, "alert_snapshot", gate)
    login(qtbot, app)
    open_tile(qtbot, app, "alerts")  # comes up while the worker is held at the gate
    alerts = app.window.alerts
    assert alerts.snapshot.pixmap() is None and alerts.snapshot.text() == LOADING
    assert row(alerts.list, 0).icon().cacheKey() == alerts.pending_icon.cacheKey()
    shoot(app, screenshot_dir, "480x320-alerts-decrypting-zh", images_within=0)
    gate.open.set()
    wait_until(qtbot, lambda: alerts.snapshot.pixmap() is not None, 5)
    thumbnail = row(alerts.list, 0).icon()
    assert not thumbnail.isNull() and thumbnail.cacheKey() != alerts.pending_icon.cacheKey()
    assert gate.threads and threading.main_thread() not in gate.threads
    assert len(gate.threads) == 1  # the thumbnail and the large one: one decryption
    shoot(app, screenshot_dir, "480x320-alerts-decrypted-zh")


def test_a_snapshot_that_cannot_be_read_is_a_placeholder(
        qtbot: QtBot, make_gui: MakeGui, db_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    app = make_gui(db_path)
    terminal = app.door.terminal
    attendance = Attendance(terminal.store)
    broken = attendance.on_match(STRANGER, _snapshot(60), now=1_000_000.0).alert_id
    garbled = attendance.on_match(STRANGER, _snapshot(90), now=1_000_100.0).alert_id
    assert broken and garbled

    def unreadable(alert_id: str) -> bytes | None:
        if alert_id == broken:
            raise ValueError("authentication tag does not match")  # a broken ciphertext
        return b"\xff\xd8 not a JPEG"

    monkeypatch.setattr(terminal, "alert_snapshot", unreadable)
    caplog.set_level(logging.ERROR, "facegate.gui")
    login(qtbot, app)
    open_tile(qtbot, app, "alerts")
    alerts = app.window.alerts
    assert [a.alert_id for a in alerts.alerts] == [garbled, broken]  # newest first
    wait_until(qtbot, lambda: alerts.snapshot.text() == "无抓拍", 5)
    alerts.list.setCurrentRow(1)
    wait_until(qtbot, lambda: alerts.snapshot.text() == "无抓拍", 5)
    assert alerts.snapshot.pixmap() is None
    assert all(row(alerts.list, i).icon().isNull() for i in range(2))
    assert "reading the sealed image" in caplog.text  # said in the log, not raised


def test_the_result_screen_shows_the_enrolled_crop_once_decrypted(
        qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_gui(enrolled_db, result_seconds=30)
    window, terminal = app.window, app.door.terminal
    gate = Gate(terminal.face_crops)
    monkeypatch.setattr(terminal, "face_crops", gate)
    decision = Attendance(terminal.store).on_match(Match(Verdict.KNOWN, LIN, 0.41, None, None))
    window.show_decision(decision)
    assert window.current is window.result
    assert window.result.photo.pixmap() is None and window.result.photo.text() == "?"
    gate.open.set()
    wait_until(qtbot, lambda: window.result.photo.pixmap() is not None, 5)
    assert threading.main_thread() not in gate.threads
    window.show_decision(decision)  # the same person again: from the cache at once
    assert window.result.photo.pixmap() is not None and len(gate.threads) == 1
    app.ctx.images.forget(ImageKind.CROP)  # the library changed: decrypted anew
    window.show_decision(decision)
    wait_until(qtbot, lambda: len(gate.threads) == 2, 5)
    wait_until(qtbot, lambda: window.result.photo.pixmap() is not None, 5)
