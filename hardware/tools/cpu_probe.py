"""``python -m hardware cpu-probe``: CPU used by the hardware layer, idle vs. camera on.

Phase 1 (idle): the TOF sensor thread and the wake detector run, the camera thread is
paused (nobody at the door). Phase 2: the camera thread also runs and a consumer takes
the newest frame as the core would. CPU = user+system time of this process / wall time
(100 % = one core), from resource.getrusage.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time
from dataclasses import dataclass

from hardware.camera.enums import CaptureState
from hardware.profiles.factory import build_hardware
from hardware.profiles.loader import load_profile
from hardware.profiles.model import CameraConfig, HardwareProfile, TofKind
from hardware.tools.output import EXIT_OK, emit_json, say

CONSUMER_WAIT_S = 0.5
WARMUP_TIMEOUT_S = 15.0  # opening the camera (importing OpenCV) is not steady-state cost
SETTLE_S = 1.0
WAKE_TICK_S = 0.5
PERCENT = 100.0


@dataclass(frozen=True)
class PhaseResult:
    phase: str
    seconds: float
    cpu_percent: float
    tof_readings: int
    frames: int
    camera_fps: float


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _profile(args: argparse.Namespace) -> HardwareProfile:
    profile = load_profile(args.profile)
    if args.tof:
        tof = dataclasses.replace(profile.tof, kind=TofKind.SERIAL, port=args.tof)
        profile = dataclasses.replace(profile, tof=tof)
    if args.camera:
        profile = dataclasses.replace(profile, camera=CameraConfig(args.camera))
    return profile


def run_cpu_probe(args: argparse.Namespace) -> int:
    hardware = build_hardware(_profile(args))
    results = []
    hardware.capture.pause()
    hardware.start()
    try:
        hardware.capture.wait_for(
            lambda status: status.state is not CaptureState.STARTING, WARMUP_TIMEOUT_S
        )
        time.sleep(SETTLE_S)
        for phase in ("idle", "camera"):
            if phase == "camera":
                hardware.capture.resume()
            readings_before = hardware.tof.stats.readings if hardware.tof else 0
            frames_before = hardware.capture.frames_read
            wall0, cpu0 = time.monotonic(), _cpu_seconds()
            end = wall0 + args.seconds
            last_seq = 0
            while (now := time.monotonic()) < end:
                hardware.wake.tick(now)
                if phase == "camera":
                    frame = hardware.capture.wait_frame(last_seq, timeout=CONSUMER_WAIT_S)
                    last_seq = frame.seq if frame else last_seq
                else:
                    time.sleep(WAKE_TICK_S)
            wall, cpu = time.monotonic() - wall0, _cpu_seconds() - cpu0
            readings = hardware.tof.stats.readings if hardware.tof else 0
            results.append(
                PhaseResult(
                    phase,
                    round(wall, 2),
                    round(PERCENT * cpu / wall, 2),
                    readings - readings_before,
                    hardware.capture.frames_read - frames_before,
                    round(hardware.capture.measured_fps, 2) if phase == "camera" else 0.0,
                )
            )
    finally:
        hardware.close()
    for result in results:
        if args.json:
            emit_json(dataclasses.asdict(result))
        else:
            say(
                f"{result.phase:7s} {result.cpu_percent:6.2f} % CPU over {result.seconds:.1f} s"
                f"  tof readings {result.tof_readings}  frames {result.frames}"
                f"  camera {result.camera_fps:.1f} fps"
            )
    return EXIT_OK
