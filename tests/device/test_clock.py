"""Setting the clock: one switch for every way in (touchscreen, HTTP, the fleet)."""

from __future__ import annotations

import time
from pathlib import Path

from device.clock import setting_allowed
from device.terminal import Terminal
from sync import commands


def test_one_switch_and_its_older_name() -> None:
    assert not setting_allowed({})
    assert setting_allowed({"FACEGATE_ALLOW_SET_TIME": "1"})
    assert setting_allowed({"FACEGATE_API_ALLOW_CLOCK_SET": "true"})
    assert not setting_allowed({"FACEGATE_ALLOW_SET_TIME": "0"})


def test_the_fleet_command_and_the_terminal_share_the_dry_run(db_path: Path,
                                                              monkeypatch) -> None:
    monkeypatch.delenv("FACEGATE_ALLOW_SET_TIME", raising=False)
    monkeypatch.delenv("FACEGATE_API_ALLOW_CLOCK_SET", raising=False)
    t = Terminal.open(db_path, device_id="door-1")
    wanted = time.time() + 3600
    change = t.set_clock(wanted)
    assert not change.applied and abs(change.offset_seconds - 3600) < 5
    assert change.command.startswith("date -s '")
    outcome = commands.execute(t, "clock-1", "set_time", {"time": wanted}, time.time() + 30)
    assert outcome.status.value == "ok"
    assert outcome.result["applied"] is False
    assert abs(outcome.result["offset_seconds"] - 3600) < 5
    t.close()
