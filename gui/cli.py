"""run_gui.py: the door's touchscreen application."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from gui.theme import Metrics, parse_size

DEFAULT_DB = "var/device.sqlite"
DEMO_DB = "var/demo.sqlite"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run_gui.py", description=__doc__)
    p.add_argument("--db", help=f"device database (default {DEFAULT_DB}; with --demo {DEMO_DB})")
    p.add_argument("--profile", default=None,
                   help="hardware profile name or TOML path (default: detected; --demo: dev-pc)")
    p.add_argument("--size", default=None, type=_size,
                   help="window size WxH: 480x320 (default), 800x480, 1024x600")
    p.add_argument("--fullscreen", action="store_true",
                   help="kiosk: full screen, no mouse cursor (size = the screen's unless --size)")
    p.add_argument("--demo", action="store_true",
                   help="sample people enrolled if nobody is, sample video as camera (dev-pc)")
    p.add_argument("--screenshots", metavar="DIR",
                   help="save a PNG of every screen shown (with --demo: tour every screen)")
    p.add_argument("--quit-after", metavar="SECONDS", type=float, default=None,
                   help="quit after this many seconds")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def _size(text: str) -> Metrics:
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if args.screenshots and headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if headless and not os.environ.get("QT_QPA_PLATFORM"):
        print("run_gui.py: no display (DISPLAY/WAYLAND_DISPLAY unset); on a bare panel set "
              "QT_QPA_PLATFORM=eglfs or linuxfb, for a test QT_QPA_PLATFORM=offscreen",
              file=sys.stderr)
        return 2

    from device.errors import FaceGateError
    from hardware.profiles.loader import ProfileError, detect_board, load_profile
    from hardware.relay.base import RelayError

    args.profile = args.profile or ("dev-pc" if args.demo else detect_board())
    try:
        load_profile(args.profile)  # a bad profile is one line, before any window or device
        return _run(args)
    except (FaceGateError, ProfileError, RelayError) as e:  # the door stays locked
        print(f"run_gui.py: {e}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from PyQt5.QtCore import Qt, QTimer

    from gui import demo
    from gui.app import GuiApp, application, style
    from gui.door import GuiDoor
    from gui.screenshots import Screenshotter
    from gui.tour import Tour
    qt = application([sys.argv[0]])
    metrics: Metrics = args.size or Metrics()
    if args.fullscreen and args.size is None:
        geometry = qt.primaryScreen().geometry()
        metrics = Metrics(geometry.width(), geometry.height())
    style(qt, metrics)
    db = Path(args.db or (DEMO_DB if args.demo else DEFAULT_DB))
    door = GuiDoor.open(db, args.profile)
    if args.demo:
        print(f"{demo.seed(door.terminal)} people enrolled in {db}", flush=True)
    gui = GuiApp.build(door, metrics)
    if args.fullscreen:
        qt.setOverrideCursor(Qt.BlankCursor)
    if args.screenshots:
        shots = Screenshotter(gui.window, args.screenshots)
        if args.demo:
            tour = Tour(gui.window, shots)
            tour.finished.connect(qt.quit)
            tour.start()
    if args.quit_after is not None:
        QTimer.singleShot(round(args.quit_after * 1000), qt.quit)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: qt.quit())
    wake_python = QTimer()  # let Python run its signal handlers while Qt waits
    wake_python.start(300)
    wake_python.timeout.connect(lambda: None)
    gui.start(fullscreen=args.fullscreen)
    try:
        qt.exec_()
    finally:
        gui.close()
    return 0
