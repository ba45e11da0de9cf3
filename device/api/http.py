"""Small helpers for requests and responses: JSON bodies, times, uploaded files."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from device import strictjson
from device.errors import BadInput
from device.ids import check_id

MAX_EPOCH = 253402300799.0  # 9999-12-31T23:59:59Z


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None
                  ) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # text that is not valid Unicode: escaped, never a 500
        text = json.dumps(body, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return Response(text, status=status, headers=dict(headers or {}),
                    content_type="application/json; charset=utf-8")


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    """The same shape for every error: seed 000's `code`/`msg` plus a machine-readable `error`."""
    return {"code": status, "error": code, "msg": message}


def body_bytes(request: Request) -> bytes:
    """The raw body, refused with 413 beyond the request's limit whether it came with a
    Content-Length or streamed (chunked): werkzeug cuts a stream off at the limit without
    a word, so one byte past it is read here to tell a full body from a cut one."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None \
            and request.content_length > limit:
        raise RequestEntityTooLarge()
    data = request.get_data(cache=True)
    if limit is not None and len(data) >= limit and request.content_length is None:
        raw = request.environ.get("wsgi.input")
        try:
            more = raw.read(1) if raw is not None else b""
        except (OSError, ValueError):
            more = b""
        if more:
            raise RequestEntityTooLarge()
    return data


def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (device/strictjson.py's rules), or BadInput."""
    data = body_bytes(request)
    if not data.strip():
        return {}
    try:
        body = strictjson.loads(data, max_bytes=max(len(data), 1))
    except strictjson.JsonError as e:
        problem = _one_line(str(e)).removeprefix("not JSON: ")
        raise BadInput(f"the request body is not valid JSON: {problem}") from e
    if not isinstance(body, dict):
        raise BadInput("the request body must be a JSON object")
    return body


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def id_field(source: Mapping[str, Any], name: str, required: bool = False,
             what: str | None = None) -> str | None:
    """An id (staff id, alert id) by device/ids.py's one rule, or None when absent."""
    value = source.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadInput(f"{name}: required")
        return None
    return check_id(value, what or name)


def text_field(source: Mapping[str, Any], name: str, required: bool = False,
               max_length: int = 200) -> str | None:
    value = source.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadInput(f"{name}: required")
        return None
    if not isinstance(value, str):
        raise BadInput(f"{name}: must be text")
    try:
        strictjson.check_text(value)
    except strictjson.JsonError as e:
        raise BadInput(f"{name}: {e}") from None
    value = value.strip()
    if len(value) > max_length:
        raise BadInput(f"{name}: at most {max_length} characters")
    return value


def flag(source: Mapping[str, Any], name: str) -> bool:
    value = source.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("", "0", "false", "no", "off"):
        return False
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on"):
        return True
    raise BadInput(f"{name}: use true or false")


def parse_time(value: Any, name: str) -> float:
    """Epoch seconds from an ISO date / date-time (local time unless it has an offset) or a
    number of seconds since 1970."""
    if isinstance(value, bool):
        raise BadInput(f"{name}: an ISO date-time or seconds since 1970")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                seconds = dt.datetime.fromisoformat(text).timestamp()
            except (ValueError, OverflowError, OSError) as e:
                raise BadInput(f"{name}: {value!r} is not an ISO date or date-time") from e
    else:
        raise BadInput(f"{name}: an ISO date-time or seconds since 1970")
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_EPOCH:
        raise BadInput(f"{name}: out of range")
    return seconds


def time_range(source: Mapping[str, Any], start_names: tuple[str, ...],
               end_names: tuple[str, ...], required: bool = False
               ) -> tuple[float | None, float | None]:
    """(start, end) from the first of each set of field names present."""
    def pick(names: tuple[str, ...]) -> float | None:
        for name in names:
            value = source.get(name)
            if value not in (None, ""):
                return parse_time(value, name)
        if required:
            raise BadInput(f"{names[0]}: required")
        return None

    start, end = pick(start_names), pick(end_names)
    if start is not None and end is not None and start >= end:
        raise BadInput(f"{start_names[0]} must be before {end_names[0]}")
    return start, end


def iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds).astimezone().isoformat(timespec="seconds")


def upload_name(file: FileStorage, fallback: str = "upload") -> str:
    """The file's own name, without any folder a client put in front of it."""
    raw = file.filename or ""
    name = PureWindowsPath(PurePosixPath(raw).name).name.strip()
    return name[:200] or fallback


def read_upload(file: FileStorage) -> bytes:
    data = file.read()
    file.close()
    return data


def client_address(request: Request) -> str:
    return request.remote_addr or "unknown"
