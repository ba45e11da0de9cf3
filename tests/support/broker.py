"""Real parts for sync tests: a Mosquitto of our own (also with the documented config and
ACL of docs/mosquitto), a cuttable TCP proxy, service threads, waits."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from tests.support.paths import REPO
from tests.support.ports import free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"

T = TypeVar("T")


def wait_for(condition: Callable[[], T | None], timeout: float = 30.0, what: str = "") -> T:
    """condition()'s first truthy value (never None), polled for up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")


def _stay_as_me() -> str:
    """Run as root, Mosquitto drops to user "mosquitto", who cannot read our temp files."""
    import os

    return "user root\n" if os.geteuid() == 0 else ""


class Broker:
    """A Mosquitto process on a free port, persistence off, that tests stop and restart."""

    def __init__(self, workdir: Path, extra_config: str = "") -> None:
        self.port = free_port()
        self.config = workdir / f"mosquitto-{self.port}.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            f"max_inflight_messages 20\n{_stay_as_me()}{extra_config}")
        self.log = workdir / f"mosquitto-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> Broker:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)],
                                        stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        wait_for(self._listening, 10, "mosquitto to listen")
        return self

    def _listening(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
            return True
        return False

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()


class Proxy:
    """A TCP relay between clients and the broker; `cut()` drops every link and refuses new."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.open = True
        self._links: list[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                continue
            if not self.open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), 2)
            except OSError:
                client.close()
                continue
            self._links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open = False
        for s in self._links:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
                s.close()
        self._links.clear()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self._stop.set()
        self.cut()
        self._server.close()


class Runner:
    """Runs an agent or hub service (anything with run()/stop()) in a thread."""

    def __init__(self, service) -> None:
        self.service = service
        self.thread = threading.Thread(target=service.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        self.service.stop()
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "service did not stop"


# -- the documented configuration (docs/mosquitto) -----------------------------------------

DOCS = REPO / "docs" / "mosquitto"
# Lines of facegate.conf that name the site (port, certificates, files): the test brings its own.
SITE_OPTIONS = {"listener", "certfile", "keyfile", "cafile", "password_file", "acl_file"}
USERS = ("hub", "hub-2", "operator", "op1", "op2", "door-1", "door-2")


def password(user: str) -> str:
    return f"{user}-secret"


def documented_options() -> str:
    """facegate.conf without its site-specific lines, for a test broker's config."""
    kept = []
    for line in (DOCS / "facegate.conf").read_text().splitlines():
        words = line.split()
        if words and not words[0].startswith("#") and words[0] not in SITE_OPTIONS:
            kept.append(line)
    return "\n".join(kept) + "\n"


def documented_broker(directory: Path, users: Iterable[str] = USERS,
                      acl: Path | None = None) -> Broker:
    """A started Mosquitto with the documented config and ACL and a password file of `users`."""
    passwd = directory / "facegate.passwd"
    passwd.write_text("")
    for user in users:
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), user, password(user)],
                       check=True)
    broker = Broker(directory, f"{documented_options()}password_file {passwd}\n"
                               f"acl_file {acl or DOCS / 'acl'}\n")
    # The documented config says allow_anonymous false; the harness's default must not stay.
    broker.config.write_text(broker.config.read_text().replace("allow_anonymous true\n", ""))
    return broker.start()
