"""For the hardware tests: how long they wait, the type of the `fake_tof` fixture."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

WAIT_S = 10.0  # generous upper bound for anything that should happen "soon"

FakeTofFactory = Callable[..., subprocess.Popen[str]]
