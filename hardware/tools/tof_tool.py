"""``python -m hardware tof PORT``: live readings for the installer."""

from __future__ import annotations

import argparse
import queue
import time

from hardware.tof.base import SensorBase, SensorStatus
from hardware.tof.reading import Reading
from hardware.tof.sensor import TofSensor
from hardware.tof.simulated import SimulatedTof
from hardware.tools.output import EXIT_HARDWARE, EXIT_OK, emit_json, say, warn

SIMULATED_PORTS = frozenset({"simulated", "sim"})


def make_sensor(args: argparse.Namespace) -> SensorBase:
    if args.port in SIMULATED_PORTS:
        return SimulatedTof(poll_hz=args.poll_hz)
    return TofSensor(
        args.port,
        mode=args.mode,
        baudrate=args.baud,
        slave_id=args.slave,
        register=args.register,
        poll_hz=args.poll_hz,
    )


def format_reading(reading: Reading) -> str:
    distance = "   -   " if reading.distance_mm is None else f"{reading.distance_mm:5d} mm"
    return f"{distance}  {reading.status}"


def run_tof(args: argparse.Namespace) -> int:
    sensor = make_sensor(args)  # ValueError (bad slave id, ...) -> exit 2 in cli.main
    readings: queue.Queue[Reading] = queue.Queue()
    sensor.add_reading_listener(readings.put)

    def on_state(status: SensorStatus) -> None:
        warn(f"{sensor.name}: {status}")

    sensor.add_state_listener(on_state)
    shown = 0
    sensor.start()
    try:
        while args.count == 0 or shown < args.count:
            try:
                reading = readings.get(timeout=args.timeout)
            except queue.Empty:
                warn(f"error: no reading from {args.port} in {args.timeout:g} s: {sensor.status}")
                return EXIT_HARDWARE
            if args.json:
                emit_json(reading.to_json())
            else:
                say(f"{time.strftime('%H:%M:%S')}  {format_reading(reading)}")
            shown += 1
    finally:
        sensor.close()
    return EXIT_OK
