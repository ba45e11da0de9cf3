"""Real API servers on free localhost ports over real SQLite files, and HTTP clients."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from device.api import ApiConfig, RunningServer, start_server
from device.api.accounts import AccountStore, Role
from device.api.stream import VideoFileFrames
from device.terminal import Terminal

ADMIN = ("admin", "admin-password-1")
VIEWER = ("viewer", "viewer-password-1")


class Client:
    """requests against one server, optionally logged in."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.request(method, self.base + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@dataclass
class Api:
    running: RunningServer
    terminal: Terminal
    admin: Client
    viewer: Client
    anonymous: Client
    closers: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.running.url

    def login(self, username: str, password: str) -> Client:
        r = self.anonymous.post("/api/v1/login", json={"username": username,
                                                        "password": password})
        assert r.status_code == 200, r.text
        return Client(self.url, r.json()["token"])


def with_accounts(source: Path | None, target: Path) -> Path:
    """A copy of `source` (or a new database) migrated, with the admin and viewer accounts."""
    if source is not None:
        with sqlite3.connect(source) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(source, target)
    terminal = Terminal.open(target, device_id="door-t")
    store = AccountStore(terminal.database.engine)
    store.create(*ADMIN, Role.ADMIN)
    store.create(*VIEWER, Role.VIEWER)
    terminal.close()
    with sqlite3.connect(target) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return target


def serve(db: Path, data_dir: Path | None = None, **config: Any) -> Api:
    """A server over `db` (made by with_accounts) on a free localhost port."""
    terminal = Terminal.open(db)
    frames = None
    if data_dir is not None:
        frames = VideoFileFrames(data_dir / "video" / "short_hamilton_clip.mp4")
    running = start_server(terminal, ApiConfig(port=0, **config), frames=frames)
    api = Api(running, terminal, Client(running.url), Client(running.url), Client(running.url))
    api.admin = api.login(*ADMIN)
    api.viewer = api.login(*VIEWER)
    if frames is not None:
        api.closers.append(frames.close)
    return api


def shut(api: Api) -> None:
    api.running.stop()
    for close in api.closers:
        close()
    api.terminal.close()
