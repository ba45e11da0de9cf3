"""Local HTTP API on the LAN (werkzeug): the seeds' endpoints over device/terminal.py.

    from device.api import ApiConfig, start_server
    running = start_server(terminal, ApiConfig(port=8080), frames=camera.latest_rgb)
    ...
    running.stop()

Names are imported on first use, so `python -m device` does not pay for the server.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ApiApp": "device.api.app", "create_app": "device.api.app",
    "ApiConfig": "device.api.config", "config_from_env": "device.api.config",
    "RunningServer": "device.api.server", "build_server": "device.api.server",
    "start_server": "device.api.server", "RetryingServer": "device.api.server",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'device.api' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
