"""The sync agent is another process on the same SQLite file: its changes show up by polling."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from device.terminal import Terminal
from tests.support.gui import MakeGui, login, open_tile, row, wait_until

REPO = Path(__file__).resolve().parents[2]
VISIBLE_WITHIN_SECONDS = 2.0


def _device_cli(qtbot: QtBot, db: Path, *args: str) -> float:
    """Run `python -m device` in its own process (GUI kept running); its exit time."""
    process = subprocess.Popen([sys.executable, "-m", "device", "--db", str(db), *args],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_until(qtbot, lambda: process.poll() is not None, 60)
    output = process.stdout.read().decode() if process.stdout else ""
    assert process.returncode == 0, output
    return time.monotonic()


@pytest.mark.slow
def test_people_changed_by_another_process_appear_within_seconds(
        qtbot: QtBot, make_gui: MakeGui, enrolled_db: Path, data_dir: Path) -> None:
    gui = make_gui(enrolled_db)
    login(qtbot, gui)
    open_tile(qtbot, gui, "people")
    people = gui.window.people

    def shown() -> set[str]:
        return {p.person_id for p in people.people} if people.list.count() else set()

    assert "kit_harington" in shown()
    done = _device_cli(qtbot, enrolled_db, "remove", "kit_harington")
    wait_until(qtbot, lambda: "kit_harington" not in shown(), VISIBLE_WITHIN_SECONDS)
    assert time.monotonic() - done <= VISIBLE_WITHIN_SECONDS
    assert all("kit_harington" not in row(people.list, i).text()
               for i in range(people.list.count()))

    photo = data_dir / "faces" / "kit_harington" / "kit_1.jpg"
    done = _device_cli(qtbot, enrolled_db, "enroll", "--id", "K002", "--name", "基特·哈灵顿",
                       str(photo))
    wait_until(qtbot, lambda: "K002" in shown(), VISIBLE_WITHIN_SECONDS)
    assert any("基特·哈灵顿" in row(people.list, i).text() for i in range(people.list.count()))
    assert gui.door.terminal.people()  # and the door's own terminal agrees


def test_standby_shows_the_sync_agents_state(qtbot: QtBot, make_gui: MakeGui,
                                             db_path: Path) -> None:
    from sync.device_side import DeviceSync

    gui = make_gui(db_path)
    standby = gui.window.standby
    assert standby.sync.text() == "● 离线（未同步）"  # no agent has ever run on this file

    agent = Terminal.open(db_path)  # what the sync agent process writes
    sync = DeviceSync(agent.store)
    sync.next_session()
    agent.change_settings(device_name="前门")
    wait_until(qtbot, lambda: standby.sync.text() == "● 1 条记录待上传", 3)
    sync.record_ack(sync.last_local_seq())
    wait_until(qtbot, lambda: standby.sync.text() == "● 已同步", 3)
    wait_until(qtbot, lambda: standby.device_name.text() == "前门", 2)
    agent.close()
