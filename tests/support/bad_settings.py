"""Settings values that were accepted wrongly once, checked in the core and over HTTP."""

from __future__ import annotations

#: The values the HTTP API and the CLI accepted although its own OpenAPI refused them.
MEASURED_BAD: list[tuple[str, object]] = [
    ("device_name", ""), ("device_name", "x" * 5000), ("device_name", {}),
    ("device_name", None), ("match_margin", 5), ("retention_days", 0),
    ("debounce_seconds", 1e12), ("relay_pulse_seconds", 0), ("relay_pulse_seconds", 3600),
    ("wake_distance_mm", 1.9), ("wake_distance_mm", True), ("recheck_seconds", 0),
]
