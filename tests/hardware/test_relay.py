"""Relays: non-blocking pulses, extension, and FAIL SECURE under every failure we can make."""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

import pytest
import serial

from hardware.relay import (
    FakeRelay,
    GpioRelay,
    PulseEvent,
    PulseKind,
    RelayError,
    SerialRelay,
    lcus_command,
)
from hardware.relay.base import _close_all_relays
from tests.support.hardware import WAIT_S


class Events:
    """Records pulse events; wait(kind) blocks until one of that kind arrived."""

    def __init__(self, relay: FakeRelay | SerialRelay | GpioRelay) -> None:
        self.items: list[PulseEvent] = []
        self._cond = threading.Condition()
        relay.on_pulse(self._add)

    def _add(self, event: PulseEvent) -> None:
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def wait(self, kind: PulseKind, count: int = 1) -> list[PulseEvent]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.of(kind)) >= count, WAIT_S), self.items
            return self.of(kind)

    def of(self, kind: PulseKind) -> list[PulseEvent]:
        return [e for e in self.items if e.kind is kind]

    @property
    def kinds(self) -> list[PulseKind]:
        return [e.kind for e in self.items]


def test_pulse_is_non_blocking_and_releases() -> None:
    relay = FakeRelay()
    events = Events(relay)
    relay.pulse(0.2)
    assert relay.energised and relay.output  # returned while still energised
    closed = events.wait(PulseKind.CLOSED)[0]
    assert not relay.energised and not relay.output
    assert closed.seconds >= 0.2
    assert [on for _, on in relay.writes] == [False, True, False]  # off at start, on, off
    assert [p.seconds for p in relay.pulses] == [0.2]
    assert events.kinds == [PulseKind.OPENED, PulseKind.CLOSED]
    assert events.items[0].wall_time > 1_600_000_000  # usable for a DoorOpened event
    relay.close()


def test_a_pulse_during_a_pulse_extends_it() -> None:
    relay = FakeRelay()
    events = Events(relay)
    relay.pulse(0.2)
    relay.pulse(0.5)
    relay.pulse(0.1)  # shorter than what is left: changes nothing
    closed = events.wait(PulseKind.CLOSED)[0]
    assert closed.seconds >= 0.5
    assert events.kinds == [
        PulseKind.OPENED,
        PulseKind.EXTENDED,
        PulseKind.EXTENDED,
        PulseKind.CLOSED,
    ]
    assert [on for _, on in relay.writes] == [False, True, False]
    relay.close()


def test_failure_while_energising_leaves_it_off() -> None:
    relay = FakeRelay(fail_energise=1)
    events = Events(relay)
    with pytest.raises(RelayError, match="could not energise"):
        relay.pulse(1.0)
    assert not relay.energised and not relay.output
    assert relay.writes[-1][1] is False  # de-energised again after the failure
    assert events.kinds == [PulseKind.FAILED]
    relay.pulse(0.05)  # the next pulse works
    events.wait(PulseKind.CLOSED)
    relay.close()


def test_no_timer_thread_means_no_pulse(monkeypatch: pytest.MonkeyPatch) -> None:
    relay = FakeRelay()
    events = Events(relay)

    def no_threads() -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(relay, "_start_threads", no_threads)
    with pytest.raises(RelayError, match="cannot time the pulse"):
        relay.pulse(1.0)
    assert not relay.energised and not relay.output
    assert [on for _, on in relay.writes] == [False, True, False]
    assert events.kinds == [PulseKind.FAILED]
    relay.close()


def test_error_in_the_pulse_thread_closes_the_door(monkeypatch: pytest.MonkeyPatch) -> None:
    relay = FakeRelay()
    events = Events(relay)

    def broken_wait(seconds: float) -> None:
        raise RuntimeError("timer broke mid-pulse")

    monkeypatch.setattr(relay, "_wait", broken_wait)
    relay.pulse(5.0)
    closed = events.wait(PulseKind.CLOSED)[0]
    assert "pulse thread error" in closed.detail
    assert not relay.output
    relay.close()


def test_watchdog_releases_when_the_pulse_thread_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    relay = FakeRelay(watchdog_grace_s=0.05)
    events = Events(relay)
    monkeypatch.setattr(relay, "_hold", lambda: None)  # pulse thread exits at once, silently
    relay.pulse(30.0)
    closed = events.wait(PulseKind.CLOSED)[0]
    assert closed.detail == "watchdog: pulse thread gone"
    assert not relay.output
    relay.close()


def test_watchdog_retries_a_failed_release() -> None:
    relay = FakeRelay(fail_release=3, watchdog_grace_s=0.05)
    events = Events(relay)
    relay.pulse(0.05)
    events.wait(PulseKind.CLOSED)
    assert not relay.energised and not relay.output
    assert relay.faults == 3
    assert events.kinds.count(PulseKind.FAILED) == 3
    relay.close()


def test_close_during_a_pulse_releases_at_once() -> None:
    relay = FakeRelay()
    relay.pulse(30.0)
    relay.close()
    assert not relay.energised and not relay.output
    with pytest.raises(RelayError, match="closed"):
        relay.pulse(1.0)
    relay.close()  # idempotent


def test_exit_hook_releases_live_relays() -> None:
    relay = FakeRelay()
    relay.pulse(30.0)
    _close_all_relays()
    assert not relay.output


def test_a_broken_listener_does_not_keep_the_door_open() -> None:
    relay = FakeRelay()
    relay.on_pulse(lambda event: (_ for _ in ()).throw(ValueError("listener bug")))
    events = Events(relay)
    relay.pulse(0.05)
    events.wait(PulseKind.CLOSED)
    assert not relay.output
    relay.close()


@pytest.mark.parametrize("seconds", [0, -1, float("nan"), float("inf")])
def test_bad_pulse_lengths(seconds: float) -> None:
    relay = FakeRelay()
    with pytest.raises(ValueError):
        relay.pulse(seconds)
    assert not relay.output
    relay.close()


def test_long_pulses_are_clamped() -> None:
    relay = FakeRelay(max_pulse_s=0.1)
    events = Events(relay)
    relay.pulse(3600)
    assert events.of(PulseKind.OPENED)[0].seconds == 0.1
    events.wait(PulseKind.CLOSED)
    relay.close()


# -- serial relay board ---------------------------------------------------------------


def test_lcus_commands() -> None:
    assert lcus_command(1, True) == bytes.fromhex("A00101A2")
    assert lcus_command(1, False) == bytes.fromhex("A00100A1")
    assert lcus_command(2, True) == bytes.fromhex("A00201A3")
    with pytest.raises(ValueError):
        lcus_command(0, True)


def test_serial_relay_over_loop() -> None:
    relay = SerialRelay("loop://")
    events = Events(relay)
    relay.pulse(0.05)
    events.wait(PulseKind.CLOSED)
    port: Any = relay._serial
    assert port is not None
    written = port.read(64)  # loop:// hands back what was written
    relay.close()
    assert written == bytes.fromhex("A00100A1 A00101A2 A00100A1")


class FlakyPort:
    """A serial port whose writes fail (USB adapter re-enumerating, or gone)."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.written = b""

    def write(self, data: bytes) -> int:
        if self.fail:
            raise serial.SerialException("write failed: [Errno 5] Input/output error")
        self.written += data
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def flaky_factory(failures: list[bool], ports: list[FlakyPort]) -> Any:
    plan = iter(failures)

    def factory(url: str, **options: Any) -> FlakyPort:
        ports.append(FlakyPort(next(plan, True)))
        return ports[-1]

    return factory


def test_serial_relay_reopens_after_a_write_error() -> None:
    ports: list[FlakyPort] = []
    relay = SerialRelay("/dev/ttyUSB0", serial_factory=flaky_factory([False, True], ports))
    ports[0].fail = True  # the adapter re-enumerates: this handle is dead, the next works
    ports.append(FlakyPort(False))
    relay._factory = lambda url, **options: ports[-1]
    events = Events(relay)
    relay.pulse(0.05)
    events.wait(PulseKind.CLOSED)
    relay.close()
    assert ports[-1].written == lcus_command(1, True) + lcus_command(1, False)
    assert events.kinds == [PulseKind.OPENED, PulseKind.CLOSED]


def test_serial_relay_board_gone_raises_and_stays_off() -> None:
    ports: list[FlakyPort] = []
    relay = SerialRelay("/dev/ttyUSB0", serial_factory=flaky_factory([False], ports))
    ports[0].fail = True  # unplugged: every later port fails too
    events = Events(relay)
    with pytest.raises(RelayError, match="could not energise"):
        relay.pulse(1.0)
    assert not relay.energised
    assert events.kinds == [PulseKind.FAILED]
    relay.close()


# -- GPIO relay with fake gpiod bindings ------------------------------------------------


def fake_gpiod_v1() -> tuple[Any, list[tuple[str, Any]]]:
    log: list[tuple[str, Any]] = []
    module: Any = types.ModuleType("gpiod")  # a fake: the attributes are set below

    class Line:
        def request(self, consumer: str, type: int, default_vals: list[int]) -> None:
            log.append(("request", default_vals[0]))

        def set_value(self, value: int) -> None:
            log.append(("set", value))

        def release(self) -> None:
            log.append(("release", None))

    class Chip:
        def __init__(self, name: str) -> None:
            log.append(("chip", name))

        def get_line(self, offset: int) -> Line:
            log.append(("line", offset))
            return Line()

        def close(self) -> None:
            log.append(("close", None))

    module.Chip = Chip
    module.LINE_REQ_DIR_OUT = 3
    return module, log


def fake_gpiod_v2() -> tuple[Any, list[tuple[str, Any]]]:
    log: list[tuple[str, Any]] = []
    module: Any = types.ModuleType("gpiod")  # a fake: the attributes are set below
    line = types.SimpleNamespace(
        Value=types.SimpleNamespace(ACTIVE="ACTIVE", INACTIVE="INACTIVE"),
        Direction=types.SimpleNamespace(OUTPUT="OUTPUT"),
    )

    class Request:
        def set_value(self, offset: int, value: str) -> None:
            log.append(("set", value))

        def release(self) -> None:
            log.append(("release", None))

    def request_lines(path: str, consumer: str, config: dict[int, Any]) -> Request:
        ((offset, settings),) = config.items()
        log.append(("request", (path, offset, settings.output_value)))
        return Request()

    module.line = line
    module.LineSettings = lambda **kw: types.SimpleNamespace(**kw)
    module.request_lines = request_lines
    return module, log


@pytest.mark.parametrize("active_low", [False, True])
def test_gpio_relay_v1(active_low: bool) -> None:
    gpiod, log = fake_gpiod_v1()
    relay = GpioRelay(17, active_low=active_low, gpiod_module=gpiod)
    events = Events(relay)
    relay.pulse(0.05)
    events.wait(PulseKind.CLOSED)
    relay.close()
    on, off = (0, 1) if active_low else (1, 0)
    assert log == [
        ("chip", "gpiochip0"),
        ("line", 17),
        ("request", off),  # requested already at the 'off' level: no glitch
        ("set", off),
        ("set", on),
        ("set", off),
        ("release", None),
        ("close", None),
    ]


def test_gpio_relay_v2_active_low() -> None:
    gpiod, log = fake_gpiod_v2()
    relay = GpioRelay(79, chip="gpiochip0", active_low=True, gpiod_module=gpiod)
    events = Events(relay)
    relay.pulse(0.05)
    events.wait(PulseKind.CLOSED)
    relay.close()
    assert log == [
        ("request", ("/dev/gpiochip0", 79, "ACTIVE")),  # physical HIGH = off for active-low
        ("set", "ACTIVE"),
        ("set", "INACTIVE"),
        ("set", "ACTIVE"),
        ("release", None),
    ]


def test_gpio_without_bindings_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gpiod", None)  # makes `import gpiod` fail
    with pytest.raises(RelayError, match="python3-libgpiod"):
        GpioRelay(17)


def test_gpio_request_failure_is_a_relay_error() -> None:
    gpiod, _ = fake_gpiod_v2()

    def busy(*args: Any, **kwargs: Any) -> None:
        raise OSError(16, "Device or resource busy")

    gpiod.request_lines = busy
    with pytest.raises(RelayError, match="line in use"):
        GpioRelay(5, gpiod_module=gpiod)
