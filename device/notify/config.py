"""Where alert mail goes and how much of it: FACEGATE_SMTP_* and FACEGATE_MAIL_* variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from device.errors import BadInput
from device.events import AlertKind

ALL_KINDS = frozenset(k.value for k in AlertKind)

_Number = TypeVar("_Number", int, float)


@dataclass(frozen=True)
class MailConfig:
    host: str
    recipients: tuple[str, ...]
    port: int = 587
    sender: str = "facegate@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = True  # upgrade the connection before anything is sent (port 587)
    ssl: bool = False  # TLS from the first byte instead (SMTPS, port 465)
    cafile: str | None = None  # a private CA for the mail server's certificate
    kinds: frozenset[str] = field(default_factory=lambda: ALL_KINDS)
    max_per_window: int = 5  # single alert mails per window; the rest go in one digest
    window_seconds: float = 600.0
    timeout_seconds: float = 20.0
    poll_seconds: float = 1.0


def mail_config_from_env(env: Mapping[str, str] | None = None) -> MailConfig | None:
    """None when FACEGATE_SMTP_HOST is not set (no mail); BadInput for a bad value."""
    env = os.environ if env is None else env
    host = env.get("FACEGATE_SMTP_HOST", "").strip()
    if not host:
        return None
    recipients = tuple(a.strip() for a in env.get("FACEGATE_MAIL_TO", "").split(",")
                       if a.strip())
    if not recipients:
        raise BadInput("FACEGATE_MAIL_TO: give at least one address (comma-separated)")
    kinds = frozenset(k.strip() for k in env.get("FACEGATE_MAIL_KINDS", "").split(",")
                      if k.strip()) or ALL_KINDS
    if kinds - ALL_KINDS:
        raise BadInput(f"FACEGATE_MAIL_KINDS: unknown {sorted(kinds - ALL_KINDS)}; "
                       f"use {', '.join(sorted(ALL_KINDS))}")
    use_ssl = _flag(env, "FACEGATE_SMTP_SSL", False)
    return MailConfig(
        host=host, recipients=recipients,
        port=_number(env, "FACEGATE_SMTP_PORT", 465 if use_ssl else 587, int),
        sender=env.get("FACEGATE_MAIL_FROM") or env.get("FACEGATE_SMTP_USER")
        or "facegate@localhost",
        username=env.get("FACEGATE_SMTP_USER") or None,
        password=env.get("FACEGATE_SMTP_PASSWORD") or None,
        starttls=_flag(env, "FACEGATE_SMTP_STARTTLS", not use_ssl), ssl=use_ssl,
        cafile=env.get("FACEGATE_SMTP_CAFILE") or None, kinds=kinds,
        max_per_window=_number(env, "FACEGATE_MAIL_MAX_PER_WINDOW", 5, int),
        window_seconds=_number(env, "FACEGATE_MAIL_WINDOW_SECONDS", 600.0, float),
        timeout_seconds=_number(env, "FACEGATE_SMTP_TIMEOUT", 20.0, float))


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        raise BadInput(f"{name}={raw!r}: use 1 or 0")
    return raw in ("1", "true", "yes", "on")


def _number(env: Mapping[str, str], name: str, default: _Number,
            kind: Callable[[str], _Number]) -> _Number:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError as e:
        raise BadInput(f"{name}={raw!r} is not a number") from e
    if value <= 0:
        raise BadInput(f"{name}: must be positive")
    return value
