"""Running the API: in the foreground (`serve`), or on a background thread of another process
(the GUI starts it next to the door loop)."""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass

from werkzeug.serving import (
    LISTEN_QUEUE,
    BaseWSGIServer,
    WSGIRequestHandler,
    get_sockaddr,
    make_server,
    select_address_family,
)

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
        address = self.server.server_address[0]  # str for TCP; typeshed allows bytes too
        host = address if isinstance(address, str) else bytes(address).decode()
        host = f"[{host}]" if ":" in host else host
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
    """Bind the port (0: any free one) without serving yet; OSError if it cannot."""
    config = config or ApiConfig()
    return bind_app(_app(terminal, config, frames), config)


def _app(terminal: Terminal, config: ApiConfig, frames: FrameProvider | None) -> ApiApp:
    if frames is None and config.video_source:
        frames = VideoFileFrames(config.video_source)
    return create_app(terminal, config, frames)


def bind_app(app: ApiApp, config: ApiConfig) -> RunningServer:
    """A server for `app` on the configured address, or OSError (never SystemExit).

    werkzeug's own bind prints to stderr and calls sys.exit on a busy port, which would
    end the whole process (the door with it): the socket is bound here and handed over.
    """
    listener = _listen(config.host, config.port)
    try:
        server = make_server(config.host, config.port, app, threaded=True,
                             request_handler=_RequestHandler, fd=listener.fileno())
    except SystemExit as e:  # werkzeug gives up on the process; we only on the server
        raise OSError(f"cannot serve on {config.host}:{config.port}") from e
    finally:
        listener.close()  # the server holds its own duplicate of the socket
    # what HTTPServer.server_bind would have set (without its reverse DNS lookup)
    server.server_name, server.server_port = str(server.server_address[0]), server.port
    if config.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("the API listens on %s: reachable from the network", config.host)
    return RunningServer(app, server)


def _listen(host: str, port: int) -> socket.socket:
    family = select_address_family(host, port)
    address = get_sockaddr(host, int(port), family)
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug does
        listener.bind(address)
        listener.listen(LISTEN_QUEUE)
    except BaseException:
        listener.close()
        raise
    return listener


def start_server(terminal: Terminal, config: ApiConfig | None = None,
                 frames: FrameProvider | None = None) -> RunningServer:
    """Serve on a daemon thread; returns at once. Call .stop() on the result to end it."""
    running = build_server(terminal, config, frames)
    running.thread = threading.Thread(target=running.serve_forever, name="facegate-api",
                                      daemon=True)
    running.thread.start()
    return running


class RetryingServer:
    """The API beside the door: serves as soon as its port can be bound.

    A busy port (another program, a previous process still closing) costs the API, never
    the door: the bind is retried on a background thread with backoff, with one log line
    when it first fails and one when it succeeds.
    """

    def __init__(self, terminal: Terminal, config: ApiConfig | None = None,
                 frames: FrameProvider | None = None, first_delay: float = 1.0,
                 max_delay: float = 30.0) -> None:
        self.config = config or ApiConfig()
        self.app = _app(terminal, self.config, frames)
        self.first_delay = max(0.01, first_delay)
        self.max_delay = max(self.first_delay, max_delay)
        self.running: RunningServer | None = None
        self.serving = threading.Event()
        self.attempts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def where(self) -> str:
        return f"{self.config.host}:{self.config.port}"

    def start(self, first_bind_s: float = 2.0) -> RetryingServer:
        """Start serving; returns once the API listens (or `first_bind_s` passed with the
        port still busy: the retries go on in the background)."""
        self._thread = threading.Thread(target=self._run, name="facegate-api", daemon=True)
        self._thread.start()
        self.serving.wait(first_bind_s)
        return self

    def wait_serving(self, timeout: float | None = None) -> bool:
        return self.serving.wait(timeout)

    def _run(self) -> None:
        delay = self.first_delay
        while not self._stopping.is_set():
            self.attempts += 1
            try:
                running = bind_app(self.app, self.config)
            except OSError as e:
                if self.attempts == 1:
                    log.warning("HTTP API: cannot listen on %s (%s); the door runs on, and "
                                "the API retries in the background", self.where,
                                e.strerror or e)
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, self.max_delay)
                continue
            except Exception:
                log.exception("HTTP API not started")
                return
            with self._lock:
                if self._stopping.is_set():
                    running.server.server_close()
                    return
                running.thread = self._thread
                self.running = running
            if self.attempts > 1:
                log.warning("HTTP API on %s: the port is free now", running.url)
            else:
                log.info("HTTP API on %s", running.url)
            self.serving.set()
            running.serve_forever()
            return

    def stop(self, timeout: float = 5.0) -> None:
        """Stop retrying or serving; idempotent."""
        self._stopping.set()
        self.app.context.stopping.set()
        with self._lock:
            running, self.running = self.running, None
        if running is not None:
            running.stop(timeout)
        elif self._thread is not None:
            self._thread.join(timeout)
        self._thread = None
