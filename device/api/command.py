"""The `serve` subcommand of `python -m device`: the local HTTP API and admin page."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
from typing import Any

from device.errors import BadInput
from device.terminal import Terminal

PASSWORD_ENV = "FACEGATE_ADMIN_PASSWORD"


def add_serve_command(sub: Any) -> None:
    """Register `serve [--host H] [--port P]`; its handler takes (terminal, args)."""
    p = sub.add_parser("serve", help="the local HTTP API and admin page (127.0.0.1 unless "
                                     "--host says otherwise)")
    p.add_argument("--host", default=None,
                   help="address to listen on (default FACEGATE_API_HOST or 127.0.0.1; "
                        "0.0.0.0 = every interface)")
    p.add_argument("--port", type=int, default=None,
                   help="port (default FACEGATE_API_PORT or 8080; 0 = any free port)")
    p.add_argument("--video", default=None,
                   help="video file for the live stream (default FACEGATE_VIDEO_SOURCE)")
    p.add_argument("--allow-clock-set", action="store_true", default=None,
                   help="let update_sys_time really set the clock (needs CAP_SYS_TIME)")
    p.add_argument("--create-admin", metavar="USER",
                   help=f"create an admin account and exit (password from {PASSWORD_ENV} or "
                        "standard input)")
    p.add_argument("--create-viewer", metavar="USER",
                   help="create a read-only account and exit (password as for --create-admin)")
    p.add_argument("--no-mail", action="store_true",
                   help="do not mail alerts even if FACEGATE_SMTP_HOST is set")
    p.add_argument("--test-mail", action="store_true",
                   help="send one test mail with the FACEGATE_SMTP_* settings and exit")
    p.set_defaults(run=cmd_serve)


def cmd_serve(terminal: Terminal, args: argparse.Namespace) -> int:
    if args.create_admin or args.create_viewer:
        return _create_account(terminal, args)
    if args.test_mail:
        return _test_mail(terminal)
    import logging

    from device.api.accounts import AccountStore
    from device.api.config import config_from_env
    from device.api.server import build_server

    config = config_from_env(host=args.host, port=args.port, video_source=args.video,
                             allow_clock_set=args.allow_clock_set)
    if args.port is not None and not 0 <= args.port <= 65535:
        raise BadInput(f"--port {args.port}: use 0-65535")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    mailer = None if args.no_mail else _start_mailer(terminal)
    try:
        running = build_server(terminal, config)
    except OSError as e:
        raise BadInput(f"cannot listen on {config.host}:{config.port}: {e.strerror}") from e
    if AccountStore(terminal.database.engine).count() == 0:
        print("warning: no accounts yet; create one with `serve --create-admin USER`",
              file=sys.stderr)
    print(f"FaceGate API on {running.url} (admin page {running.url}/admin, "
          f"OpenAPI {running.url}/openapi.json)", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # supervisor's stop: shut down cleanly
    try:
        running.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
        if mailer is not None:
            mailer.stop()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _create_account(terminal: Terminal, args: argparse.Namespace) -> int:
    from device.api.accounts import AccountStore, Role

    username = args.create_admin or args.create_viewer
    role = Role.ADMIN if args.create_admin else Role.VIEWER
    password = _password()
    account = AccountStore(terminal.database.engine).create(username, password, role)
    print(f"created {account.role} account {account.username!r}")
    return 0


def _password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if first != getpass.getpass("again: "):
            raise BadInput("the two passwords differ")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise BadInput(f"no password: set {PASSWORD_ENV} or write it on standard input")
    return line


def _start_mailer(terminal: Terminal) -> Any:
    from device.notify import AlertMailer, mail_config_from_env

    mail = mail_config_from_env()
    if mail is None:
        return None
    mailer = AlertMailer(terminal, mail)
    mailer.start()
    print(f"mailing alerts to {', '.join(mail.recipients)} via {mail.host}:{mail.port}",
          flush=True)
    return mailer


def _test_mail(terminal: Terminal) -> int:
    from device.notify import SmtpSender, mail_config_from_env, trial_message

    mail = mail_config_from_env()
    if mail is None:
        raise BadInput("set FACEGATE_SMTP_HOST and FACEGATE_MAIL_TO first")
    SmtpSender(mail).send(trial_message(mail, terminal.device_id, terminal.settings().device_name))
    print(f"test mail sent to {', '.join(mail.recipients)}")
    return 0
