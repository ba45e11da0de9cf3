"""Turn pyserial/OS exceptions into a FaultReason an installer can act on."""

from __future__ import annotations

import errno
import os

from hardware.tof.enums import FaultReason

_PERMISSION = {errno.EACCES, errno.EPERM}
_VANISHED = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.EBADF}
_BUSY = {errno.EBUSY, errno.EAGAIN}
_VANISHED_TEXT = (
    "no such file",
    "no such device",
    "input/output error",
    "returned no data",  # pyserial: readable but 0 bytes = USB adapter unplugged
    "device disconnected",
    "[errno 5]",
    "[errno 2]",
    "[errno 6]",
    "[errno 19]",
    "bad file descriptor",
)
_HINTS = {
    FaultReason.PERMISSION_DENIED: "add the user to the 'dialout' group",
    FaultReason.PORT_BUSY: "another process holds the port (a second FaceGate, a getty?)",
    FaultReason.PORT_VANISHED: "check the cable / that the device exists",
}


def classify_serial_error(exc: BaseException) -> FaultReason:
    code = getattr(exc, "errno", None)
    if code in _PERMISSION:
        return FaultReason.PERMISSION_DENIED
    if code in _VANISHED:
        return FaultReason.PORT_VANISHED
    if code in _BUSY:
        return FaultReason.PORT_BUSY
    text = str(exc).lower()
    if "permission denied" in text:
        return FaultReason.PERMISSION_DENIED
    if "exclusively lock" in text or "resource busy" in text:
        return FaultReason.PORT_BUSY
    if any(part in text for part in _VANISHED_TEXT):
        return FaultReason.PORT_VANISHED
    if isinstance(exc, OSError | TimeoutError) or type(exc).__module__.startswith("serial"):
        return FaultReason.IO_ERROR
    return FaultReason.INTERNAL


def describe_serial_error(exc: BaseException, port: str) -> tuple[FaultReason, str]:
    """(reason, one-line detail with a hint)."""
    reason = classify_serial_error(exc)
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code > 0:
        message = os.strerror(code)
    else:
        text = str(exc).strip()
        message = text.splitlines()[0] if text else type(exc).__name__
    hint = _HINTS.get(reason)
    detail = f"{port}: {message}"
    return reason, f"{detail} ({hint})" if hint else detail
