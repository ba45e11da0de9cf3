"""``python -m hardware camera SOURCE``: does the camera deliver, at what size and fps?"""

from __future__ import annotations

import argparse
import time

from hardware.camera.capture import CaptureThread
from hardware.camera.spec import open_source
from hardware.tools.output import EXIT_HARDWARE, EXIT_OK, BadInput, emit_json, say, warn


def parse_options(pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadInput(f"--option needs KEY=VALUE, got {pair!r}")
        options[key.strip()] = value.strip()
    return options


def run_camera(args: argparse.Namespace) -> int:
    source = open_source(args.source, **parse_options(args.option))  # ValueError -> exit 2
    capture = CaptureThread(source, fps=args.fps, pace=False if args.no_pace else None)
    capture.add_state_listener(lambda status: warn(f"camera: {status}"))
    deadline = time.monotonic() + args.timeout
    seen = 0
    last = None
    capture.start()
    try:
        while seen < args.frames:
            remaining = deadline - time.monotonic()
            frame = capture.wait_frame(last.seq if last else 0, timeout=max(remaining, 0))
            if frame is None:
                break
            last = frame
            seen += 1
        fps = capture.measured_fps
        status = capture.status
        frames_read = capture.frames_read
    finally:
        capture.close()
    if seen < args.frames or last is None:
        warn(f"error: got {seen} of {args.frames} frames from {args.source}: {status}")
        return EXIT_HARDWARE
    result = {
        "source": source.description,
        "kind": str(source.kind),
        "width": last.width,
        "height": last.height,
        "frames": seen,
        "frames_read": frames_read,
        "fps": round(fps, 2),
    }
    if args.json:
        emit_json(result)
    else:
        say(f"{last.width}x{last.height}  {seen} frames  {fps:.1f} fps  ({source.description})")
    return EXIT_OK
