"""Sending one mail over SMTP: STARTTLS or SMTPS when configured, login when credentials are."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from device.errors import FaceGateError
from device.notify.config import MailConfig

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class MailError(FaceGateError):
    """The mail server could not be reached or refused the mail."""


class SmtpSender:
    def __init__(self, config: MailConfig, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._context = ssl_context

    def context(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = ssl.create_default_context(cafile=self.config.cafile)
        return self._context

    def send(self, message: EmailMessage) -> None:
        c = self.config
        if c.username and not (c.ssl or c.starttls) and c.host not in LOOPBACK:
            raise MailError(f"refusing to send the password for {c.username!r} to {c.host} "
                            "unencrypted: use FACEGATE_SMTP_STARTTLS=1 or FACEGATE_SMTP_SSL=1")
        try:
            if c.ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_seconds,
                                                      context=self.context())
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds)
            with smtp:
                smtp.ehlo()
                if c.starttls and not c.ssl:
                    smtp.starttls(context=self.context())  # refuses if the server cannot
                    smtp.ehlo()
                if c.username:
                    smtp.login(c.username, c.password or "")
                smtp.send_message(message, from_addr=c.sender, to_addrs=list(c.recipients))
        except smtplib.SMTPNotSupportedError as e:
            raise MailError(f"{c.host}:{c.port} does not offer STARTTLS; set "
                            "FACEGATE_SMTP_STARTTLS=0 only for a server on this machine") from e
        except smtplib.SMTPAuthenticationError as e:
            raise MailError(f"{c.host}:{c.port} refused the login for {c.username!r}") from e
        except (smtplib.SMTPException, OSError) as e:
            raise MailError(f"cannot send mail via {c.host}:{c.port}: {e}") from e
