"""Printing helpers shared by the tools: stdout for results, stderr for diagnostics."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit_json(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def say(text: str) -> None:
    print(text, flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
