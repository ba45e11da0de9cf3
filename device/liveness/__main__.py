"""`python -m device.liveness calibrate --db PATH --distance-mm D [--eye-mm E] IMAGE`.

Sets the camera's focal length (in pixels) from one photo of a real person, taken by the
door camera at the door's resolution, whose eyes were D mm from the lens (measure along
the floor, or read the TOF: `python -m hardware tof PORT --count 5`). Stores it with
the image width as a settings change (SettingsChanged in the event log).

Exit 0 on success, 2 on bad input (one line on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from device.errors import FaceGateError
from device.liveness.policy import NOMINAL_EYE_MM

EXIT_OK, EXIT_BAD_INPUT = 0, 2
DEFAULT_DB = "var/device.sqlite"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m device.liveness", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(required=True, metavar="COMMAND", dest="command")
    p = sub.add_parser("calibrate", help="set the focal length from one person at a known distance")
    p.add_argument("--db", default=os.environ.get("FACEGATE_DB", DEFAULT_DB),
                   help="device database file")
    p.add_argument("--distance-mm", type=float, required=True,
                   help="distance from the lens to the person's eyes, mm")
    p.add_argument("--eye-mm", type=float, default=NOMINAL_EYE_MM,
                   help=f"the person's interpupillary distance if measured "
                        f"(default {NOMINAL_EYE_MM:g} mm, the adult mean)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("image", help="a photo from the door camera, person looking at it")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from device.imaging import load_rgb
    from device.liveness.calibration import calibrate
    from device.terminal import Terminal

    try:
        rgb = load_rgb(args.image)
        terminal = Terminal.open(args.db)
    except FaceGateError as e:
        return _fail(e)
    try:
        result = calibrate(terminal, rgb, args.distance_mm, args.eye_mm)
    except FaceGateError as e:
        return _fail(e)
    finally:
        terminal.close()
    record = {"camera_focal_px": round(result.focal_px, 2),
              "camera_calibration_width_px": result.width_px,
              "eye_px": round(result.eye_px, 2), "distance_mm": result.distance_mm,
              "eye_mm": result.eye_mm}
    if args.json:
        print(json.dumps(record))
    else:
        print(f"camera_focal_px={record['camera_focal_px']} at {result.width_px} px wide "
              f"({result.eye_px:.1f} px between the eyes at {result.distance_mm:g} mm, "
              f"eye distance {result.eye_mm:g} mm); stored")
    return EXIT_OK


def _fail(error: Exception) -> int:
    print(f"error: {error}", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
