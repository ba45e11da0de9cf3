"""Installer tools: ``python -m hardware tof|camera|relay|profile|cpu-probe ...``.

Exit status: 0 success, 1 the hardware failed (message on stderr), 2 bad input
(one line on stderr), 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from hardware.relay.enums import RelayKind
from hardware.tof.constants import (
    DEFAULT_BAUDRATE,
    DEFAULT_POLL_HZ,
    DEFAULT_SLAVE_ID,
    DISTANCE_REGISTER,
)
from hardware.tof.enums import TofMode
from hardware.tools.output import (
    EXIT_BAD_INPUT,
    EXIT_HARDWARE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    BadInput,
)

__all__ = ["EXIT_BAD_INPUT", "EXIT_HARDWARE", "EXIT_INTERRUPTED", "EXIT_OK", "BadInput", "main"]

DEFAULT_TOF_TIMEOUT_S = 5.0
DEFAULT_CAMERA_FRAMES = 30
DEFAULT_CAMERA_TIMEOUT_S = 20.0
DEFAULT_PULSE_S = 1.0
DEFAULT_PROBE_S = 10.0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line on stderr (argparse prints the whole usage by default)."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _int_auto(text: str) -> int:
    """Decimal or 0x-prefixed hex (slave ids and registers are usually written in hex)."""
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    value = _int_auto(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m hardware", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tof = commands.add_parser("tof", help="print live readings of a TOF distance sensor")
    tof.add_argument("port", help="serial port or pyserial URL, or 'simulated'")
    tof.add_argument("--mode", choices=[m.value for m in TofMode], default=TofMode.MODBUS.value)
    tof.add_argument("--json", action="store_true", help="one JSON object per line")
    tof.add_argument("--count", type=_non_negative_int, default=0, help="stop after N (0: never)")
    tof.add_argument("--baud", type=_int_auto, default=DEFAULT_BAUDRATE)
    tof.add_argument("--slave", type=_int_auto, default=DEFAULT_SLAVE_ID)
    tof.add_argument("--register", type=_int_auto, default=DISTANCE_REGISTER)
    tof.add_argument("--poll-hz", type=_positive_float, default=DEFAULT_POLL_HZ)
    tof.add_argument(
        "--timeout",
        type=_positive_float,
        default=DEFAULT_TOF_TIMEOUT_S,
        help="give up after this long without a reading (exit 1)",
    )

    camera = commands.add_parser("camera", help="grab frames, print size and measured fps")
    camera.add_argument("source", help="0, /dev/video0, csi://0?..., rtsp://..., file, folder")
    camera.add_argument("--frames", type=_non_negative_int, default=DEFAULT_CAMERA_FRAMES)
    camera.add_argument("--fps", type=_positive_float, help="pace files/folders at this rate")
    camera.add_argument("--no-pace", action="store_true", help="read files as fast as possible")
    camera.add_argument("--option", action="append", default=[], metavar="KEY=VALUE")
    camera.add_argument("--json", action="store_true")
    camera.add_argument("--timeout", type=_positive_float, default=DEFAULT_CAMERA_TIMEOUT_S)

    relay = commands.add_parser("relay", help="drive the door relay")
    relay_commands = relay.add_subparsers(dest="action", required=True, metavar="ACTION")
    pulse = relay_commands.add_parser("pulse", help="energise for --seconds, then release")
    pulse.add_argument("--kind", choices=[k.value for k in RelayKind], default="fake")
    pulse.add_argument("--seconds", type=_positive_float, default=DEFAULT_PULSE_S)
    pulse.add_argument("--chip", default="gpiochip0", help="gpio: chip name or path")
    pulse.add_argument("--line", type=_non_negative_int, help="gpio: line offset")
    pulse.add_argument("--active-low", action="store_true", help="gpio: LOW energises")
    pulse.add_argument("--port", help="serial: /dev/ttyUSB0 or a pyserial URL")
    pulse.add_argument("--channel", type=_int_auto, default=1, help="serial: relay channel")
    pulse.add_argument("--baud", type=_int_auto, default=9600, help="serial: baud rate")
    pulse.add_argument("--json", action="store_true")

    profile = commands.add_parser("profile", help="show a resolved hardware profile")
    profile.add_argument("name", nargs="?", help="profile name or TOML path (default: detect)")
    profile.add_argument("--list", action="store_true", help="list the packaged profiles")

    probe = commands.add_parser("cpu-probe", help="measure CPU use: idle vs camera running")
    probe.add_argument("--profile", default="dev-pc")
    probe.add_argument("--tof", help="use a real TOF sensor on this port instead")
    probe.add_argument("--camera", help="camera source instead of the profile's")
    probe.add_argument("--seconds", type=_positive_float, default=DEFAULT_PROBE_S)
    probe.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # The tools print state changes themselves; the log adds only real errors.
    logging.basicConfig(level=logging.ERROR, format="%(name)s: %(message)s")
    try:
        if args.command == "tof":
            from hardware.tools.tof_tool import run_tof

            return run_tof(args)
        if args.command == "camera":
            from hardware.tools.camera_tool import run_camera

            return run_camera(args)
        if args.command == "relay":
            from hardware.tools.relay_tool import run_relay

            return run_relay(args)
        if args.command == "profile":
            from hardware.tools.profile_tool import run_profile

            return run_profile(args)
        from hardware.tools.cpu_probe import run_cpu_probe

        return run_cpu_probe(args)
    except (BadInput, ValueError) as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
