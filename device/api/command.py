"""The `serve` subcommand of `python -m device` (filled in by the HTTP API work)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

AddParser = Callable[..., argparse.ArgumentParser]


def add_serve_command(sub: Any) -> None:
    """Register `serve [--host H] [--port P]`; its handler takes (terminal, args)."""
