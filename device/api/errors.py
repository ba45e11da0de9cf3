"""Errors of the HTTP edge, and how every error becomes a status code and a JSON body."""

from __future__ import annotations

from device.clock import ClockError
from device.errors import AlreadyEnrolled, BadInput, DatabaseError, FaceGateError, NotFound


class ApiError(FaceGateError):
    """An error with its own HTTP status; the message is shown to the caller as is."""

    status = 500
    code = "error"
    headers: dict[str, str] = {}  # noqa: RUF012 - overridden per instance where needed


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="FaceGate"'}  # noqa: RUF012


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class Conflict(ApiError):
    status, code = 409, "conflict"


class LockedOut(ApiError):
    status, code = 429, "locked_out"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(max(1, round(retry_after)))}


class Unavailable(ApiError):
    status, code = 503, "unavailable"


def status_of(error: FaceGateError) -> tuple[int, str]:
    """(HTTP status, short code) for any error the core or this package raises."""
    if isinstance(error, ApiError):
        return error.status, error.code
    if isinstance(error, AlreadyEnrolled):
        return 409, "already_enrolled"
    if isinstance(error, BadInput):
        return 400, "bad_input"
    if isinstance(error, NotFound):
        return 404, "not_found"
    if isinstance(error, DatabaseError):
        return 503, "database_error"
    if isinstance(error, ClockError):
        return 503, "clock_error"
    return 500, "error"
