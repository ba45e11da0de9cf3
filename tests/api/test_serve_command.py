"""`python -m device --db PATH serve`: account bootstrap and a real server process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.paths import REPO
from tests.support.ports import free_port


def device(db: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "device", "--db", str(db), *args],
                          input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, **(env or {})})


def test_create_admin_reads_the_password_from_env_or_stdin(db_path: Path) -> None:
    done = device(db_path, "serve", "--create-admin", "boss",
                  env={"FACEGATE_ADMIN_PASSWORD": "correct horse"})
    assert done.returncode == 0 and "created admin account 'boss'" in done.stdout
    again = device(db_path, "serve", "--create-admin", "boss", stdin="another pw\n")
    assert again.returncode == 2 and again.stderr == "error: account 'boss' already exists\n"
    viewer = device(db_path, "serve", "--create-viewer", "hr", stdin="viewer password\n")
    assert viewer.returncode == 0 and "created viewer account 'hr'" in viewer.stdout
    short = device(db_path, "serve", "--create-admin", "x", stdin="short\n")
    assert short.returncode == 2 and "password: 8-1024 characters" in short.stderr
    nothing = device(db_path, "serve", "--create-admin", "y")
    assert nothing.returncode == 2 and "FACEGATE_ADMIN_PASSWORD" in nothing.stderr


def test_serve_listens_on_loopback_and_stops_on_ctrl_c(db_path: Path) -> None:
    assert device(db_path, "serve", "--create-admin", "boss",
                  stdin="correct horse\n").returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "device", "--db", str(db_path), "serve", "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("FACEGATE_API_")})
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith(f"FaceGate API on http://127.0.0.1:{port} ")
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/health", timeout=10) as r:
            assert json.load(r)["status"] == "ok"
        login = urllib.request.Request(
            base + "/api/v1/login", method="POST",
            data=json.dumps({"username": "boss", "password": "correct horse"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(login, timeout=10) as r:
            token = json.load(r)["token"]
        people = urllib.request.Request(base + "/face/all",
                                        headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(people, timeout=10) as r:
            assert json.load(r) == {"code": 200, "all_face": [], "people": []}
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=15)
    assert code == 0
    started = time.monotonic()
    busy = subprocess.run([sys.executable, "-m", "device", "--db", str(db_path), "serve",
                           "--port", "-5"], capture_output=True, text=True, cwd=REPO,
                          timeout=60)
    assert busy.returncode == 2 and "--port -5: use 0-65535" in busy.stderr
    assert time.monotonic() - started < 30
