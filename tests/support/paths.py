"""Where things are: the repository, the sample data (../shared/data or $FACEGATE_DATA)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("FACEGATE_DATA", REPO.parent / "shared" / "data"))


def python_env() -> dict[str, str]:
    """This environment with the repository on PYTHONPATH, for child Python processes."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env
