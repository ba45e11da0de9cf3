"""Running the API: in the foreground (`serve`), or on a background thread of another process
(the GUI starts it next to the door loop)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from device.api.app import ApiApp, create_app
from device.api.config import ApiConfig
from device.api.context import FrameProvider
from device.api.stream import VideoFileFrames
from device.terminal import Terminal

log = logging.getLogger("facegate.api")
access_log = logging.getLogger("facegate.api.access")


class _RequestHandler(WSGIRequestHandler):
    """Request lines go to the `facegate.api.access` logger (INFO), not straight to stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        access_log.info("%s %s %s %s", self.address_string(), self.command, self.path, code)

    def log_error(self, format: str, *args: object) -> None:
        log.warning("%s: " + format, self.address_string(), *args)


@dataclass
class RunningServer:
    app: ApiApp
    server: BaseWSGIServer
    thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server.server_port

    @property
    def url(self) -> str:
        host = self.server.server_address[0]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting requests and end live streams; idempotent."""
        self.app.context.stopping.set()
        if self.thread is not None:
            self.server.shutdown()
            self.thread.join(timeout)
            self.thread = None
        self.server.server_close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build_server(terminal: Terminal, config: ApiConfig | None = None,
                 frames: FrameProvider | None = None) -> RunningServer:
    """Bind the port (0: any free one) without serving yet."""
    config = config or ApiConfig()
    if frames is None and config.video_source:
        frames = VideoFileFrames(config.video_source)
    app = create_app(terminal, config, frames)
    server = make_server(config.host, config.port, app, threaded=True,
                         request_handler=_RequestHandler)
    if config.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("the API listens on %s: reachable from the network", config.host)
    return RunningServer(app, server)


def start_server(terminal: Terminal, config: ApiConfig | None = None,
                 frames: FrameProvider | None = None) -> RunningServer:
    """Serve on a daemon thread; returns at once. Call .stop() on the result to end it."""
    running = build_server(terminal, config, frames)
    running.thread = threading.Thread(target=running.serve_forever, name="facegate-api",
                                      daemon=True)
    running.thread.start()
    return running
