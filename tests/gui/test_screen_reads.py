"""A navigation reads the new screen's data once: the SQL statements the GUI thread runs
while a screen comes up are exactly those of one call of its read (gui/reads.py), and no
sealed image is read there (the worker decrypts them).

Before the navigation model (window.go() called retranslate(), which read, then refresh(),
which read again), counted the same way on the enrolled database with one alert and one
punch: admin menu 2 statements (every open alert's row, to count them), people 6 (two
reads), punches 4 (two), alerts 7 (two list reads, and the snapshot read and decrypted on
the GUI thread), settings 2, device info 28 (two), standby 8. Now: 2, 3, 3, 3, 2, 14, 8.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from device.attendance import Attendance
from device.queries import log_heads
from device.recognition.decision import Match, Verdict
from gui.periods import PunchFilter
from gui.reads import ScreenReads
from tests.support.gui import MakeGui, login, tap

LIN = "lin_manuel_miranda"


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements this thread runs on `engine` inside the block (BEGIN included)."""
    me = threading.get_ident()
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if threading.get_ident() == me:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_each_navigation_runs_the_statements_of_one_read(
        qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path) -> None:
    gui = make_gui(enrolled_db)
    window, terminal = gui.window, gui.door.terminal
    engine = terminal.database.engine
    attendance = Attendance(terminal.store)
    attendance.on_match(Match(Verdict.KNOWN, LIN, 0.41, None, None))
    attendance.on_match(Match(Verdict.UNKNOWN, None, 0.74, None, None),
                        np.full((120, 120, 3), 128, np.uint8))  # an alert with a snapshot
    gui.ctx.watcher.poke()
    reads = ScreenReads(terminal)
    one_read = {"admin": reads.open_alerts, "people": lambda: reads.people(""),
                "punches": lambda: reads.punches(PunchFilter()),
                "alerts": lambda: reads.alerts(True), "settings": reads.settings,
                "info": reads.info}
    login(qtbot, gui)
    counts = {}
    for name, read in one_read.items():
        with statements(engine) as expected:
            read()
        with statements(engine) as seen:
            window.go(name)  # what the admin menu's tile does
        assert window.current is window.screens[name]
        assert seen == expected, name
        assert not any("sealed" in s for s in seen), name  # no decryption on this thread
        counts[name] = len(seen)
        if name != "admin":
            tap(qtbot, window.screens[name].header.back)
    with statements(engine) as expected:
        reads.standby()
    with statements(engine) as seen:
        tap(qtbot, window.admin.header.back)  # log out: the standby screen
    assert window.current is window.standby and seen == expected
    counts["standby"] = len(seen)
    # people: the page, the settings (which face model's samples count) and the weakest
    # sample's gate scores of the people shown
    assert counts == {"admin": 2, "people": 5, "punches": 3, "alerts": 3, "settings": 2,
                      "info": 14, "standby": 8}


def test_a_change_in_the_log_reads_the_visible_screen_once(
        qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path) -> None:
    gui = make_gui(enrolled_db)
    window, terminal = gui.window, gui.door.terminal
    engine = terminal.database.engine
    login(qtbot, gui)
    window.go("people")
    with statements(engine) as expected:
        log_heads(engine)
        ScreenReads(terminal).people("")
    terminal.change_settings(device_name="前门")  # what the sync agent might append
    with statements(engine) as seen:
        gui.ctx.watcher.poll()
    assert seen == expected
    window.go("settings")  # a screen that does not follow the log reads nothing
    terminal.change_settings(device_name="后门")
    with statements(engine) as seen:
        gui.ctx.watcher.poll()
    with statements(engine) as heads_only:
        log_heads(engine)
    assert seen == heads_only
