"""Fixtures for the hardware tests: fake sensor processes on ptys, the sample video."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.backoff import Backoff
from tests.support.hardware import FakeTofFactory
from tests.support.paths import REPO, python_env

READY_TIMEOUT_S = 10.0


@pytest.fixture
def fast_backoff() -> Backoff:
    return Backoff(0.05, max_s=0.2, jitter=0)


@pytest.fixture
def tty_link(tmp_path: Path) -> Path:
    """Where fake sensors put their port: a symlink like /dev/serial/by-id/..."""
    return tmp_path / "ttyTOF"


@pytest.fixture
def fake_tof(tty_link: Path) -> Iterator[FakeTofFactory]:
    """Start tests/hardware/fake_tof.py processes; all are stopped after the test."""
    processes: list[subprocess.Popen[str]] = []

    def start(scenario: str = "normal", *extra: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "tests.hardware.fake_tof", "--link", str(tty_link)]
        process = subprocess.Popen(
            [*command, "--scenario", scenario, *extra],
            cwd=REPO,
            env=python_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until READY (or the process died)
        assert line.startswith("READY"), f"fake sensor did not start: {line!r}"
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(READY_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="session")
def video_path(data_dir: Path) -> Path:
    return data_dir / "video" / "short_hamilton_clip.mp4"
