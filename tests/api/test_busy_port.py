"""A busy API port costs the API, never the door: the bind is retried in the background."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from device.api import ApiConfig
from device.api.server import RetryingServer
from device.terminal import Terminal
from tests.support.paths import REPO


@pytest.fixture
def busy_port() -> Iterator[socket.socket]:
    """A port another program listens on."""
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    yield blocker
    blocker.close()


@pytest.mark.slow
def test_the_door_runs_on_when_the_api_port_is_taken(busy_port: socket.socket, tmp_path: Path,
                                                     data_dir: Path) -> None:
    port = busy_port.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEGATE_API")}
    env |= {"FACEGATE_API": "on", "FACEGATE_API_HOST": "127.0.0.1",
            "FACEGATE_API_PORT": str(port), "FACEGATE_DATA": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "device", "--db", str(tmp_path / "d.sqlite"),
                           "run", "--profile", "dev-pc", "--seconds", "6"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "running with profile dev-pc" in done.stdout
    assert "Traceback" not in done.stderr
    said = [line for line in done.stderr.splitlines() if "HTTP API" in line]
    assert len(said) == 1, done.stderr  # one line, however many retries
    assert f"127.0.0.1:{port}" in said[0] and "retries in the background" in said[0]


@pytest.mark.slow
def test_the_touchscreen_runs_on_when_the_api_port_is_taken(busy_port: socket.socket,
                                                           tmp_path: Path,
                                                           data_dir: Path) -> None:
    pytest.importorskip("PyQt5")
    port = busy_port.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEGATE_API")}
    env |= {"FACEGATE_API": "on", "FACEGATE_API_HOST": "127.0.0.1",
            "FACEGATE_API_PORT": str(port), "FACEGATE_DATA": str(data_dir),
            "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "run_gui.py", "--db", str(tmp_path / "d.sqlite"),
                           "--quit-after", "6"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    said = [line for line in done.stderr.splitlines() if "HTTP API" in line]
    assert len(said) == 1 and f"127.0.0.1:{port}" in said[0], done.stderr


def test_the_retrying_api_serves_once_the_port_is_free(
        busy_port: socket.socket, empty_template: Path, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    port = busy_port.getsockname()[1]
    db = tmp_path / "device.sqlite"
    shutil.copyfile(empty_template, db)
    terminal = Terminal.open(db)
    caplog.set_level(logging.INFO, logger="facegate.api")
    server = RetryingServer(terminal, ApiConfig(port=port), first_delay=0.05, max_delay=0.2)
    server.start()
    try:
        time.sleep(1.0)
        assert not server.serving.is_set() and server.attempts >= 3
        busy_port.close()  # the other program ends
        assert server.wait_serving(15)
        r = requests.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert r.status_code == 200 and r.json()["status"] == "ok"
    finally:
        server.stop()
        terminal.close()
    failures = [r for r in caplog.records if "cannot listen" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelno == logging.WARNING
    assert any("the port is free now" in r.getMessage() for r in caplog.records)
    with pytest.raises(requests.ConnectionError):  # stopped means stopped
        requests.get(f"http://127.0.0.1:{port}/health", timeout=5)


def test_stopping_while_the_port_is_busy_ends_the_retries(busy_port: socket.socket,
                                                         empty_template: Path,
                                                         tmp_path: Path) -> None:
    db = tmp_path / "device.sqlite"
    shutil.copyfile(empty_template, db)
    terminal = Terminal.open(db)
    server = RetryingServer(terminal, ApiConfig(port=busy_port.getsockname()[1]),
                            first_delay=10.0).start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    terminal.close()
    assert time.monotonic() - started < 3
    assert not server.serving.is_set()
