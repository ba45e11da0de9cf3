"""``python -m hardware relay pulse``: click the door relay once."""

from __future__ import annotations

import argparse
import threading

from hardware.relay.base import PulseEvent, Relay, RelayError
from hardware.relay.enums import PulseKind, RelayKind
from hardware.relay.fake import FakeRelay
from hardware.relay.gpio import GpioRelay
from hardware.relay.serial_relay import SerialRelay
from hardware.tools.output import EXIT_HARDWARE, EXIT_OK, BadInput, emit_json, say, warn

RELEASE_MARGIN_S = 5.0  # wait this much beyond the pulse for the release to be confirmed


def make_relay(args: argparse.Namespace) -> Relay:
    kind = RelayKind(args.kind)
    if kind is RelayKind.FAKE:
        return FakeRelay()
    if kind is RelayKind.GPIO:
        if args.line is None:
            raise BadInput("--kind gpio needs --line N")
        return GpioRelay(args.line, chip=args.chip, active_low=args.active_low)
    if not args.port:
        raise BadInput("--kind serial needs --port /dev/ttyUSB0")
    return SerialRelay(args.port, channel=args.channel, baudrate=args.baud)


def run_relay(args: argparse.Namespace) -> int:
    try:
        relay = make_relay(args)
    except RelayError as exc:
        warn(f"error: {exc}")
        return EXIT_HARDWARE
    released = threading.Event()
    events: list[PulseEvent] = []

    def on_pulse(event: PulseEvent) -> None:
        events.append(event)
        if event.kind is PulseKind.CLOSED:
            released.set()

    relay.on_pulse(on_pulse)
    try:
        relay.pulse(args.seconds)
        ok = released.wait(args.seconds + RELEASE_MARGIN_S)
    except RelayError as exc:
        warn(f"error: {exc}")
        return EXIT_HARDWARE
    finally:
        relay.close()
    for event in events:
        if args.json:
            emit_json(
                {
                    "kind": str(event.kind),
                    "seconds": round(event.seconds, 3),
                    "relay": event.relay,
                    "detail": event.detail,
                }
            )
        else:
            say(f"{event.relay}: {event.kind} {event.seconds:.2f} s {event.detail}".rstrip())
    if not ok or relay.faults:
        warn(f"error: {relay.name} reported {relay.faults} fault(s)")
        return EXIT_HARDWARE
    return EXIT_OK
