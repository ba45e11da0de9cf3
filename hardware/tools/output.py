"""What the tools share: exit codes, the bad-input error, and printing (stdout for results,
stderr for diagnostics). The command line (hardware/cli.py) imports the tools, never the
other way round."""

from __future__ import annotations

import json
import sys
from typing import Any

EXIT_OK = 0
EXIT_HARDWARE = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class BadInput(Exception):
    """Raised by a tool for unusable arguments discovered after parsing."""


def emit_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def say(text: str) -> None:
    print(text, flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
