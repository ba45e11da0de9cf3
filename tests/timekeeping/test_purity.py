"""The rules are pure: standard library only, nothing of the device's storage or adapters,
so the door, the hub and a report command can all import them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("assignments", "calendar", "daily", "errors", "monthly", "records", "rules",
           "shifts", "timezone", "workdays")
FORBIDDEN = ("sqlalchemy", "alembic", "PyQt5", "paho", "werkzeug", "jinja2", "numpy", "cv2",
             "gui", "sync", "hardware", "device.api", "device.notify", "device.cli",
             "device.runtime", "device.storage", "device.eventlog", "device.projections",
             "device.store", "device.terminal", "device.queries", "device.recognition",
             "device.library", "device.attendance")


def test_importing_the_rules_loads_nothing_else():
    code = "import json, sys, device.timekeeping; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    loaded = set(json.loads(out))
    assert {f"device.timekeeping.{m}" for m in MODULES} <= loaded
    bad = sorted(m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
    assert bad == []
    # Today the only other device modules are the error class and the id and name rule.
    others = sorted(m for m in loaded if m.startswith("device.")
                    and not m.startswith("device.timekeeping"))
    assert set(others) <= {"device.errors", "device.ids"}, others
