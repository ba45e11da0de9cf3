"""``python -m hardware profile [NAME]``: the resolved profile as JSON."""

from __future__ import annotations

import argparse
import dataclasses
import json
from enum import Enum
from pathlib import Path
from typing import Any

from hardware.profiles.loader import ProfileError, available_profiles, detect_board, load_profile
from hardware.tools.output import EXIT_OK, BadInput, say


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def run_profile(args: argparse.Namespace) -> int:
    if args.list:
        for name in available_profiles():
            say(name)
        return EXIT_OK
    try:
        profile = load_profile(args.name or detect_board())
    except ProfileError as exc:
        raise BadInput(str(exc)) from exc
    document = dataclasses.asdict(
        profile, dict_factory=lambda items: {k: _plain(v) for k, v in items}
    )
    say(json.dumps(document, indent=2, ensure_ascii=False))
    return EXIT_OK
