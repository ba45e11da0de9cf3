"""Backoff, listeners and serial error classification."""

from __future__ import annotations

import errno

import pytest
import serial

from hardware.backoff import Backoff
from hardware.listeners import Listeners
from hardware.tof.enums import FaultReason
from hardware.tof.serial_errors import classify_serial_error, describe_serial_error


def test_backoff_doubles_up_to_the_cap_and_resets() -> None:
    backoff = Backoff(0.5, factor=2, max_s=3, jitter=0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_backoff_jitter_stays_in_bounds() -> None:
    backoff = Backoff(1.0, factor=1, max_s=1, jitter=0.1)
    assert all(0.9 <= backoff.next_delay() <= 1.1 for _ in range(100))


@pytest.mark.parametrize("kwargs", [{"initial_s": 0}, {"max_s": 0.1}, {"jitter": 1.5}])
def test_backoff_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)


def test_listeners_survive_a_broken_subscriber() -> None:
    listeners: Listeners[int] = Listeners("test")
    heard: list[int] = []

    def broken(value: int) -> None:
        raise RuntimeError("subscriber bug")

    listeners.add(broken)
    unsubscribe = listeners.add(heard.append)
    listeners.emit(1)
    unsubscribe()
    unsubscribe()  # twice is fine
    listeners.emit(2)
    assert heard == [1]
    assert len(listeners) == 1


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (
            serial.SerialException(errno.EACCES, "could not open port"),
            FaultReason.PERMISSION_DENIED,
        ),
        (PermissionError(errno.EPERM, "nope"), FaultReason.PERMISSION_DENIED),
        (serial.SerialException(errno.ENOENT, "could not open port"), FaultReason.PORT_VANISHED),
        (
            serial.SerialException(
                "device reports readiness to read but returned no data "
                "(device disconnected or multiple access on port?)"
            ),
            FaultReason.PORT_VANISHED,
        ),
        (
            serial.SerialException("read failed: [Errno 5] Input/output error"),
            FaultReason.PORT_VANISHED,
        ),
        (serial.SerialException(errno.EBUSY, "busy"), FaultReason.PORT_BUSY),
        (
            serial.SerialException("Could not exclusively lock port /dev/ttyS0"),
            FaultReason.PORT_BUSY,
        ),
        (serial.SerialTimeoutException("Write timeout"), FaultReason.IO_ERROR),
        (ZeroDivisionError("bug"), FaultReason.INTERNAL),
    ],
)
def test_serial_error_classification(exc: BaseException, reason: FaultReason) -> None:
    assert classify_serial_error(exc) is reason


def test_error_detail_names_the_port_and_a_hint() -> None:
    reason, detail = describe_serial_error(
        serial.SerialException(errno.EACCES, "could not open port /dev/ttyTHS1"), "/dev/ttyTHS1"
    )
    assert reason is FaultReason.PERMISSION_DENIED
    assert detail == "/dev/ttyTHS1: Permission denied (add the user to the 'dialout' group)"
