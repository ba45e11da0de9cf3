"""The Qt-free helpers: PIN gate, punch periods, sync status, guidance words, texts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from device.attendance import Outcome
from device.errors import BadInput
from device.events import AlertKind
from device.library.enrolment import QualityPolicy, quality_problem
from device.queries import SyncState, read_sync_status
from device.recognition.engine import FaceQuality
from device.sync_keys import ACKED_SEQ, SESSION
from device.terminal import Terminal
from gui import i18n
from gui.admin_pin import DEFAULT_PIN, PinGate, PinVerdict
from gui.enrol_session import Hint, hint_for_problem
from gui.periods import Period, PunchFilter


def test_pin_gate(db_path: Path) -> None:
    clock = [0.0]
    terminal = Terminal.open(db_path)
    gate = PinGate(terminal, clock=lambda: clock[0])
    assert gate.uses_default and gate.check(DEFAULT_PIN).ok
    assert gate.check("1").attempts_left == 4
    for _ in range(3):
        gate.check("1")
    locked = gate.check("1")
    assert locked.verdict is PinVerdict.LOCKED and locked.locked_seconds == 60
    assert gate.check(DEFAULT_PIN).verdict is PinVerdict.LOCKED
    clock[0] = 60.0
    assert gate.check(DEFAULT_PIN).ok
    with pytest.raises(BadInput):
        gate.change("12ab")
    gate.change("97531")
    assert not gate.uses_default
    assert not gate.check(DEFAULT_PIN).ok and gate.check("97531").ok
    terminal.close()


def test_punch_periods() -> None:
    today = dt.date(2026, 11, 22)
    day = PunchFilter(Period.DAY)
    start, end = day.bounds(today)
    assert start is not None and end is not None
    assert end - start == 24 * 3600 and dt.datetime.fromtimestamp(start).date() == today
    yesterday = day.shifted(-1, today)
    assert yesterday.day == dt.date(2026, 11, 21)
    assert yesterday.shifted(5, today).day == today  # never into the future
    start, end = PunchFilter(Period.WEEK).bounds(today)
    assert start is not None
    assert dt.datetime.fromtimestamp(start).date() == dt.date(2026, 11, 16)
    assert PunchFilter(Period.ALL).bounds(today) == (None, None)


def test_sync_status_reads_what_the_agent_writes(db_path: Path) -> None:
    from sync import device_side
    from sync.device_side import DeviceSync

    assert (ACKED_SEQ, SESSION) == (device_side.ACKED_SEQ, device_side.SESSION)
    terminal = Terminal.open(db_path)
    engine = terminal.database.engine
    assert read_sync_status(engine, terminal.device_id).state() is SyncState.NO_AGENT
    sync = DeviceSync(terminal.store)
    sync.next_session()
    terminal.change_settings(device_name="a")
    terminal.change_settings(device_name="b")
    status = read_sync_status(engine, terminal.device_id)
    assert (status.state(), status.queue_depth, status.last_hub_contact) == (
        SyncState.PENDING, 2, None)
    sync.record_ack(1)
    status = read_sync_status(engine, terminal.device_id)
    assert status.queue_depth == 1 and status.last_hub_contact is not None
    sync.record_ack(2)
    assert read_sync_status(engine, terminal.device_id).state() is SyncState.SYNCED
    terminal.close()


@pytest.mark.parametrize(("quality", "hint"), [
    (FaceQuality(30, 300.0, 120.0, 0.0), Hint.COME_CLOSER),
    (FaceQuality(120, 300.0, 10.0, 0.0), Hint.TOO_DARK),
    (FaceQuality(120, 5.0, 120.0, 0.0), Hint.HOLD_STILL),
    (FaceQuality(120, 300.0, 120.0, 0.8), Hint.LOOK_AT_CAMERA),
])
def test_every_quality_problem_has_words(quality: FaceQuality, hint: Hint) -> None:
    problem = quality_problem(quality, QualityPolicy())
    assert problem is not None and hint_for_problem(problem) is hint
    for language in i18n.LANGUAGES:
        assert f"hint_{hint.value}" in i18n.TABLES[language]


def test_both_languages_have_every_text() -> None:
    assert set(i18n.EN) == set(i18n.ZH)
    assert all(f"hint_{h.value}" in i18n.EN for h in Hint)
    assert all(o.value in i18n.EN for o in Outcome)  # a new door outcome needs words
    assert all(f"kind_{k.value}" in i18n.EN for k in AlertKind)
    i18n.set_language("en")
    assert i18n.long_date(dt.date(2026, 11, 22)) == "Sunday, 22 November 2026"
    i18n.set_language("zh")
    assert i18n.long_date(dt.date(2026, 11, 22)) == "2026年11月22日 星期日"
