"""Settings of the HTTP server: defaults here, overridable from the environment and the CLI."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from device.errors import BadInput

MiB = 2**20


@dataclass(frozen=True)
class ApiConfig:
    host: str = "127.0.0.1"  # loopback only; a LAN address has to be asked for
    port: int = 8080
    max_upload_bytes: int = 10 * MiB  # per request, all files together
    token_ttl_seconds: float = 8 * 3600.0
    login_max_failures: int = 5  # per user name and client address ...
    login_window_seconds: float = 300.0  # ... within this window, then
    login_lockout_seconds: float = 300.0  # locked for this long
    allow_clock_set: bool = False  # update_sys_time really sets the clock only when True
    stream_fps: float = 5.0
    max_streams: int = 3  # MJPEG viewers at once (each costs JPEG encoding on the device)
    video_source: str | None = None  # video file for the live stream when no camera is given


ENVIRONMENT = {
    "host": "FACEGATE_API_HOST",
    "port": "FACEGATE_API_PORT",
    "max_upload_bytes": "FACEGATE_API_MAX_UPLOAD_BYTES",
    "token_ttl_seconds": "FACEGATE_API_TOKEN_TTL",
    "login_max_failures": "FACEGATE_API_LOGIN_MAX_FAILURES",
    "login_window_seconds": "FACEGATE_API_LOGIN_WINDOW",
    "login_lockout_seconds": "FACEGATE_API_LOGIN_LOCKOUT",
    "allow_clock_set": "FACEGATE_API_ALLOW_CLOCK_SET",
    "stream_fps": "FACEGATE_API_STREAM_FPS",
    "max_streams": "FACEGATE_API_MAX_STREAMS",
    "video_source": "FACEGATE_VIDEO_SOURCE",
}


def config_from_env(env: Mapping[str, str] | None = None, **overrides: Any) -> ApiConfig:
    """Defaults, then FACEGATE_API_* variables, then `overrides` (None values ignored)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for field in dataclasses.fields(ApiConfig):
        raw = env.get(ENVIRONMENT[field.name])
        if raw is not None and raw != "":
            values[field.name] = _convert(field.name, raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return ApiConfig(**values)


def _convert(name: str, raw: str) -> Any:
    kind = type(getattr(ApiConfig, name))
    try:
        if kind is bool:
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes", "on")
        if name == "video_source":
            return raw
        return kind(raw)
    except ValueError as e:
        raise BadInput(f"{ENVIRONMENT[name]}={raw!r} is not a valid {kind.__name__}") from e
