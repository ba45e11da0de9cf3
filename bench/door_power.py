"""CPU of the whole door process while nobody is there vs while someone is (issue 4).

The dev-pc profile: the sample video as camera, a simulated TOF sensor, the fake relay.
Idle: nobody approaches (camera paused, recogniser asleep). Baseline: awake all the time.
"""

from __future__ import annotations

import dataclasses
import resource
import shutil
import tempfile
import time
from pathlib import Path

from bench.report import Context, Figure
from device.runtime import build_door
from device.terminal import Terminal
from hardware.profiles.loader import load_profile

NOBODY_EVER = 1e9  # seconds between simulated approaches


def _cpu_percent(seconds: float) -> float:
    """CPU time of this process over a wall-clock window, in % of one core."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    time.sleep(seconds)
    after = resource.getrusage(resource.RUSAGE_SELF)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return 100.0 * used / (time.perf_counter() - started)


def run(ctx: Context) -> list[Figure]:
    window = 5.0 if ctx.quick else 10.0
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "door.sqlite"
        terminal = Terminal.open(db, device_id="door-power")
        terminal.import_folder(ctx.data / "faces")
        terminal.close()
        profile = load_profile("dev-pc")
        quiet = dataclasses.replace(profile, tof=dataclasses.replace(
            profile.tof, approach_every_s=NOBODY_EVER, first_approach_s=NOBODY_EVER / 2))
        figures = {}
        for name, awake in (("idle", None), ("awake", True)):
            door = build_door(db, quiet, always_awake=awake)
            door.start()
            time.sleep(2.0)  # settle: models loaded, capture running or paused
            ctx.log(f"door power: measuring {name} for {window:.0f} s")
            figures[name] = _cpu_percent(window)
            figures[f"{name}_frames"] = door.service.frames_processed
            door.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return [Figure("door power", "CPU while nobody is at the door", figures["idle"],
                   "% of one core", "the same door recognising continuously",
                   figures["awake"], target="< 5 %", met=figures["idle"] < 5.0,
                   note=f"frames recognised: idle {figures['idle_frames']}, "
                        f"awake {figures['awake_frames']}")]
