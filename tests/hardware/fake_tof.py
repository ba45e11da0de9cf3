"""A fake TOF200F on the far end of a pseudo-terminal, run as its own process.

    python -m tests.hardware.fake_tof --link /tmp/x/ttyTOF --scenario normal

It opens a pty pair, points the symlink --link at the slave side (like a udev
/dev/serial/by-id link), prints ``READY <slave path>`` and then answers Modbus RTU
read-holding-registers requests from the master side. Scenarios:

  normal      answer every request with the next value of --values
  crc         every second answer has a broken CRC
  split       answers arrive in pieces, with garbage bytes in between
  silence     answer --after requests, then nothing for --silent-for s (0 = forever)
  disconnect  answer --after requests, then remove the link and exit (port vanishes)
  ascii       ignore requests; stream "d: <value> mm" lines at --rate Hz

A request for a register other than --register gets exception 0x02, like the real one.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import select
import signal
import sys
import time
import tty
from collections.abc import Iterator
from pathlib import Path

from hardware.tof.crc import check_crc
from hardware.tof.enums import ExceptionCode, FunctionCode
from hardware.tof.modbus import build_exception_response, build_read_response

REQUEST_LENGTH = 8
POLL_S = 0.02
SPLIT_PAUSE_S = 0.003
GARBAGE = b"\x00\xff\x13"
SCENARIOS = ("normal", "crc", "split", "silence", "disconnect", "ascii")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--link", required=True, type=Path)
    parser.add_argument("--scenario", choices=SCENARIOS, default="normal")
    parser.add_argument("--values", default="500,800,65535,2500,20")
    parser.add_argument("--slave", type=lambda s: int(s, 0), default=0x50)
    parser.add_argument("--register", type=lambda s: int(s, 0), default=0x0010)
    parser.add_argument("--after", type=int, default=5)
    parser.add_argument("--silent-for", type=float, default=0.0)
    parser.add_argument("--rate", type=float, default=20.0)
    return parser.parse_args(argv)


def point_link(link: Path, target: str) -> None:
    """Atomically (re)point link at target."""
    tmp = link.with_name(link.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target)
    tmp.replace(link)


def requests(buffer: bytearray, slave: int) -> Iterator[int]:
    """Yield the register of each complete valid request in buffer, consuming it."""
    while len(buffer) >= REQUEST_LENGTH:
        if buffer[0] != slave or buffer[1] != FunctionCode.READ_HOLDING_REGISTERS:
            del buffer[0]
            continue
        frame = bytes(buffer[:REQUEST_LENGTH])
        if not check_crc(frame):
            del buffer[0]
            continue
        del buffer[:REQUEST_LENGTH]
        yield int.from_bytes(frame[2:4], "big")


class FakeSensor:
    def __init__(self, args: argparse.Namespace, master: int) -> None:
        self.args = args
        self.master = master
        self.values = itertools.cycle(int(v) for v in args.values.split(","))
        self.answered = 0
        self.silent_until: float | None = None

    def answer(self, register: int) -> None:
        args = self.args
        if register != args.register:
            os.write(
                self.master,
                build_exception_response(args.slave, ExceptionCode.ILLEGAL_DATA_ADDRESS),
            )
            return
        if args.scenario in ("silence", "disconnect") and self.answered >= args.after:
            if args.scenario == "disconnect":
                with contextlib.suppress(FileNotFoundError):
                    args.link.unlink()
                os._exit(0)  # the port vanishes: pty master closed by the kernel
            if self.silent_until is None:
                self.silent_until = time.monotonic() + (args.silent_for or float("inf"))
            if time.monotonic() < self.silent_until:
                return
        frame = build_read_response(args.slave, [next(self.values)])
        self.answered += 1
        if args.scenario == "crc" and self.answered % 2 == 0:
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        if args.scenario == "split":
            os.write(self.master, GARBAGE[: self.answered % 4])
            for part in (frame[:2], frame[2:5], frame[5:]):
                os.write(self.master, part)
                time.sleep(SPLIT_PAUSE_S)
            return
        os.write(self.master, frame)

    def serve_modbus(self) -> None:
        buffer = bytearray()
        while True:
            ready, _, _ = select.select([self.master], [], [], POLL_S)
            if not ready:
                continue
            buffer += os.read(self.master, 256)
            for register in requests(buffer, self.args.slave):
                self.answer(register)

    def serve_ascii(self) -> None:
        period = 1.0 / self.args.rate
        while True:
            ready, _, _ = select.select([self.master], [], [], 0)
            if ready:
                os.read(self.master, 256)  # drain whatever the host sends
            os.write(
                self.master, f"State;0 , Range Valid\r\nd: {next(self.values)} mm\r\n".encode()
            )
            time.sleep(period)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    master, slave = os.openpty()
    tty.setraw(slave)
    # Keep our copy of the slave open: without one, reads on the master fail with EIO
    # every time the sensor under test closes the port to reconnect.
    slave_path = os.ttyname(slave)
    point_link(args.link, slave_path)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {slave_path}", flush=True)
    sensor = FakeSensor(args, master)
    try:
        if args.scenario == "ascii":
            sensor.serve_ascii()
        else:
            sensor.serve_modbus()
    finally:
        os.close(master)
        os.close(slave)
    return 0


if __name__ == "__main__":
    sys.exit(main())
