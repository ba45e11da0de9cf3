"""How responsive is the touchscreen while the door recognises? `python -m gui.bench_responsiveness`

Three figures, each next to a baseline measured in the same run:

1. Preview frames per second shown on the live screen with recognition running on the sample
   video, next to the frames per second the camera delivered, and the same with the door
   held (camera running, no recognition).
2. Touch latency: an input thread "touches" a button at scheduled times (posting the press
   and release, as the platform's input layer does); latency = the button's clicked slot
   minus the scheduled time. With recognition running, and with the door held.
3. Start to standby screen (process start to standby painted) with 10,000 people enrolled,
   next to the same with nobody enrolled; plus opening the people screen, and the first
   load of the matcher's library (the first recognition after a start pays it).

The 10,000-person database is synthetic: PersonEnrolled and FaceSampleAdded events built
as Terminal.enroll builds them (sealed encodings and crops), appended in large transactions.
No timing here is asserted by tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np

from device import biometrics
from device.eventlog.model import NewEvent
from device.events import EventType
from device.terminal import Terminal
from gui.demo import data_dir

if TYPE_CHECKING:
    from PyQt5.QtWidgets import QPushButton

    from gui.app import GuiApp

VIDEO = "video/short_hamilton_clip.mp4"
BATCH = 500


# -- the synthetic library ---------------------------------------------------------------

def add_synthetic_people(terminal: Terminal, count: int, samples: int = 2,
                         seed: int = 7) -> float:
    """Append `count` people with `samples` sealed samples each; returns seconds taken."""
    rng = np.random.default_rng(seed)
    ok, crop = cv2.imencode(".jpg", rng.integers(0, 255, (96, 96, 3), dtype=np.uint8))
    assert ok
    crop_jpeg = crop.tobytes()
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        with terminal.store.transaction() as txn:
            new: list[NewEvent] = []
            for i in range(first, min(count, first + BATCH)):
                person_id = f"S{i:06d}"
                new.append(NewEvent(EventType.PERSON_ENROLLED, {
                    "person_id": person_id, "name": f"合成 {i}", "phone": None, "mail": None}))
                key_id = biometrics.person_key_id(person_id)
                key = biometrics.key_for(txn.connection, key_id, create=True)
                assert key is not None
                for _ in range(samples):
                    encoding = rng.normal(0.0, 0.09, 128)
                    sample_id = uuid.uuid4().hex
                    sealed = biometrics.seal(key, biometrics.pack_sample(encoding, crop_jpeg),
                                             sample_id)
                    new.append(NewEvent(EventType.FACE_SAMPLE_ADDED, {
                        "person_id": person_id, "sample_id": sample_id, "key_id": key_id,
                        "quality": 100.0, "mirrored": False}, sealed=sealed))
            txn.append(new)
    return time.perf_counter() - start


# -- preview and touch -------------------------------------------------------------------

@dataclass
class Phase:
    name: str
    seconds: float
    camera_fps: float
    preview_fps: float
    recognised_fps: float
    touches: list[float]  # latencies in seconds


class TouchThread(threading.Thread):
    """Posts a press and a release to a widget at scheduled times (an input device)."""

    def __init__(self, post: Callable[[float], None], period: float, until: float) -> None:
        super().__init__(name="touch", daemon=True)
        self.post = post
        self.period = period
        self.until = until
        self.scheduled: list[float] = []

    def run(self) -> None:
        rng = random.Random(3)
        due = time.perf_counter() + self.period
        while due < self.until:
            time.sleep(max(0.0, due - time.perf_counter()))
            self.scheduled.append(due)
            self.post(due)
            due += self.period * rng.uniform(0.7, 1.3)


def measure_phase(gui: GuiApp, probe: QPushButton, name: str, seconds: float) -> Phase:
    from PyQt5.QtCore import QCoreApplication, QEvent, QPoint, Qt
    from PyQt5.QtGui import QMouseEvent
    from PyQt5.QtWidgets import QApplication

    door, video = gui.door, gui.window.live.video
    clicks: list[float] = []
    probe.clicked.connect(lambda: clicks.append(time.perf_counter()))

    def post(_due: float) -> None:  # input thread: postEvent is thread-safe
        centre = QPoint(probe.width() // 2, probe.height() // 2)
        for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease):
            QCoreApplication.postEvent(probe, QMouseEvent(kind, centre, Qt.LeftButton,
                                                          Qt.LeftButton, Qt.NoModifier))

    shown0, read0 = video.frames_shown, door.camera.frames_read
    processed0, t0 = door.service.frames_processed, time.perf_counter()
    touch = TouchThread(post, 0.2, t0 + seconds - 0.3)
    touch.start()
    while time.perf_counter() - t0 < seconds:
        QApplication.processEvents()
        time.sleep(0.002)
    touch.join()
    for _ in range(50):  # let the last clicks through
        QApplication.processEvents()
    elapsed = time.perf_counter() - t0
    probe.clicked.disconnect()
    if len(clicks) != len(touch.scheduled):
        print(f"warning: {len(touch.scheduled)} touches, {len(clicks)} clicks", flush=True)
    latencies = [c - s for s, c in zip(touch.scheduled, clicks, strict=False)]
    return Phase(name, elapsed, (door.camera.frames_read - read0) / elapsed,
                 (video.frames_shown - shown0) / elapsed,
                 (door.service.frames_processed - processed0) / elapsed, latencies)


def run_live(db: Path, seconds: float) -> list[Phase]:
    from PyQt5.QtWidgets import QPushButton

    from device.door_service import DoorService
    from gui.app import GuiApp, qt_application
    from gui.door import GuiDoor
    from gui.theme import Metrics
    from hardware.camera.capture import CaptureThread
    from hardware.camera.spec import open_source
    from hardware.relay.fake import FakeRelay

    metrics = Metrics()
    app = qt_application(metrics)
    terminal = Terminal.open(db)
    camera = CaptureThread(open_source(str(data_dir() / VIDEO), loop=True))
    door = GuiDoor.around(terminal, DoorService(terminal, camera, FakeRelay(), awake=True),
                          camera)
    gui = GuiApp.build(door, metrics, result_seconds=0.0)
    gui.start()
    probe = QPushButton("probe", gui.window.live)
    probe.setGeometry(0, 0, 60, 40)
    probe.show()
    decisions: list[object] = []
    gui.ctx.bridge.decision.connect(decisions.append)
    deadline = time.monotonic() + 60  # warm up: models loaded, a face encoded and decided
    while not decisions and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    gui.window.result_seconds = 0.0  # keep the live screen up between decisions
    phases = [measure_phase(gui, probe, "recognition running", seconds)]
    door.hold()  # camera on, no recognition: the baseline
    gui.window.go("live")
    phases.append(measure_phase(gui, probe, "door held (no recognition)", seconds))
    gui.close()
    return phases


# -- start-up (in a child process, so imports count) ------------------------------------

def startup_child(db: str) -> None:
    """Start the touchscreen on `db`; print when the standby screen has been painted."""
    from PyQt5.QtCore import QTimer

    from gui.app import GuiApp, qt_application
    from gui.door import GuiDoor
    from gui.theme import Metrics

    app = qt_application(Metrics())
    door = GuiDoor.open(db, "dev-pc")
    gui = GuiApp.build(door, Metrics())
    result: dict[str, float] = {}

    def painted() -> None:
        result["standby_at"] = time.time()
        assert gui.window.current is gui.window.standby
        t = time.perf_counter()
        gui.window.go("people")
        app.processEvents()
        result["people_screen_s"] = time.perf_counter() - t
        t = time.perf_counter()
        door.terminal.current_cache()
        result["library_load_s"] = time.perf_counter() - t
        result["people"] = len(door.terminal.people())
        app.quit()

    gui.start()
    gui.window.repaint()
    QTimer.singleShot(0, painted)
    app.exec_()
    gui.close()
    print(json.dumps(result), flush=True)


def measure_startup(db: Path, runs: int) -> dict[str, float]:
    found: list[dict[str, float]] = []
    for _ in range(runs):
        started = time.time()
        out = subprocess.run([sys.executable, "-m", "gui.bench_responsiveness",
                              "--startup-child", str(db)], capture_output=True, text=True,
                             check=True, cwd=Path(__file__).resolve().parents[1]).stdout
        child = json.loads(out.strip().splitlines()[-1])
        child["standby_s"] = child.pop("standby_at") - started
        found.append(child)
    return {k: statistics.median(f[k] for f in found) for k in found[0]}


# -- report ------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def report(phases: list[Phase], empty: dict[str, float], big: dict[str, float],
           generated_s: float, people: int) -> str:
    run, held = phases
    ms = 1000.0
    rows = [
        ("camera frames delivered / s", f"{run.camera_fps:.1f}", f"{held.camera_fps:.1f}"),
        ("preview frames shown / s", f"{run.preview_fps:.1f}", f"{held.preview_fps:.1f}"),
        ("frames recognised / s", f"{run.recognised_fps:.1f}", f"{held.recognised_fps:.1f}"),
        ("touch to slot, median ms", f"{statistics.median(run.touches) * ms:.1f}",
         f"{statistics.median(held.touches) * ms:.1f}"),
        ("touch to slot, p95 ms", f"{pct(run.touches, 0.95) * ms:.0f}",
         f"{pct(held.touches, 0.95) * ms:.0f}"),
        ("touch to slot, max ms", f"{max(run.touches) * ms:.0f}",
         f"{max(held.touches) * ms:.0f}"),
        ("touches measured", str(len(run.touches)), str(len(held.touches))),
    ]
    lines = ["| live screen, sample video, 480x320 | recognition running | door held "
             "(baseline) |", "|---|---:|---:|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += ["", f"| start-up | {people:,} people | nobody (baseline) |", "|---|---:|---:|"]
    lines += [f"| process start to standby painted, s | {big['standby_s']:.2f} | "
              f"{empty['standby_s']:.2f} |",
              f"| open the people screen, ms | {big['people_screen_s'] * ms:.0f} | "
              f"{empty['people_screen_s'] * ms:.0f} |",
              f"| first library load (first recognition after start), ms | "
              f"{big['library_load_s'] * ms:.0f} | {empty['library_load_s'] * ms:.0f} |"]
    lines += ["", f"(synthetic library of {people:,} people written in {generated_s:.1f} s)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gui.bench_responsiveness")
    parser.add_argument("--seconds", type=float, default=10.0, help="per live phase")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="start-ups per database")
    parser.add_argument("--startup-child", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.startup_child:
        startup_child(args.startup_child)
        return 0
    with tempfile.TemporaryDirectory(prefix="facegate-bench-") as tmp:
        live_db, empty_db, big_db = (Path(tmp) / n for n in ("live.sqlite", "empty.sqlite",
                                                              "big.sqlite"))
        terminal = Terminal.open(live_db)
        print("enrolling the sample people ...", flush=True)
        terminal.import_folder(data_dir() / "faces")
        terminal.close()
        Terminal.open(empty_db).close()
        big = Terminal.open(big_db)
        print(f"writing {args.people:,} synthetic people ...", flush=True)
        generated = add_synthetic_people(big, args.people)
        big.close()
        print(f"live screen, {args.seconds:.0f} s per phase ...", flush=True)
        phases = run_live(live_db, args.seconds)
        print(f"start-up, {args.runs} runs each ...", flush=True)
        empty = measure_startup(empty_db, args.runs)
        large = measure_startup(big_db, args.runs)
    print()
    print(report(phases, empty, large, generated, args.people))
    return 0


if __name__ == "__main__":
    sys.exit(main())
