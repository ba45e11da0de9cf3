"""Alert mail over a real SMTP server on loopback: content, rate limit, restarts, TLS, and
that a stuck mail server never slows the door down."""

from __future__ import annotations

import dataclasses
import io
import socket
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from device.attendance import Attendance, alert_event
from device.errors import BadInput
from device.events import AlertKind
from device.notify import AlertMailer, MailConfig, MailError, SmtpSender, mail_config_from_env
from device.notify.mailer import STATE_NAME
from device.notify.message import trial_message
from device.notify.state import load_state
from device.recognition.decision import Match, Verdict
from device.terminal import Terminal
from tests.support.images import rgb_of
from tests.support.smtp import Inbox, self_signed, start_smtp
from tests.support.terminals import MakeTerminal


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    controller = start_smtp(box)
    yield box, controller.port
    controller.stop()


def plain(port: int, **changes: Any) -> MailConfig:
    config = MailConfig(host="127.0.0.1", port=port, recipients=("guard@example.com",),
                        sender="door-7@example.com", starttls=False, poll_seconds=0.05,
                        timeout_seconds=5)
    return dataclasses.replace(config, **changes)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None, "the mail has no text/plain part"
    return body.get_content()


def raise_alert(t: Terminal, kind: AlertKind, detail: str) -> None:
    with t.store.transaction() as txn:
        txn.append([alert_event(txn.connection, uuid.uuid4().hex, kind, detail, None)])


def stranger(t: Terminal, data_dir: Path, now: float | None = None) -> str | None:
    return Attendance(t.store).on_match(Match(Verdict.UNKNOWN, None, 0.8, None, None),
                                        snapshot=rgb_of(data_dir, "kit_harington",
                                                        "kit_1.jpg"), now=now).alert_id


def test_an_unknown_face_is_mailed_once_with_its_snapshot(
        make_terminal: MakeTerminal, data_dir: Path, inbox: tuple[Inbox, int]) -> None:
    terminal = make_terminal(device_id="door-7")  # the subject names the door
    box, port = inbox
    before = stranger(terminal, data_dir, now=time.time() - 100)  # older than the mailer
    mailer = AlertMailer(terminal, plain(port))
    mailer.start()
    try:
        alert_id = stranger(terminal, data_dir)
        (mail,) = box.wait_for(1)
    finally:
        mailer.stop()
    assert before is not None and alert_id is not None
    message = mail.message
    assert mail.recipients == ["guard@example.com"] and message["From"] == "door-7@example.com"
    assert message["Subject"].startswith("[FaceGate FaceGate door-7] Unknown face / 陌生人 at ")
    body = text_of(message)
    assert alert_id in body and "face not recognised" in body and before not in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "image/jpeg"
    assert attachment.get_filename() == f"alert-{alert_id}.jpg"
    snapshot = Image.open(io.BytesIO(attachment.get_content()))
    assert snapshot.format == "JPEG" and snapshot.width > 100

    restarted = AlertMailer(terminal, plain(port))  # a restart resends nothing
    assert restarted.run_once() == 0
    assert len(box.wait_for(2, timeout=0.5)) == 1


def test_a_burst_gets_a_few_mails_and_one_digest(terminal: Terminal,
                                                 inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    clock = FakeClock()
    mailer = AlertMailer(terminal, plain(port, max_per_window=3, window_seconds=60),
                         clock=clock)
    mailer.state()
    kinds = [AlertKind.DEVICE_FAULT, AlertKind.STORAGE_LOW, AlertKind.SPOOF_SUSPECTED]
    for i in range(20):
        raise_alert(terminal, kinds[i % 3], f"problem {i}")
    assert mailer.run_once() == 3
    assert mailer.run_once() == 0  # the window is full: the rest wait for the digest
    clock.now += 61
    assert mailer.run_once() == 1
    mails = box.wait_for(4)
    assert [m.message["Subject"].split("] ")[1] for m in mails[:3]] == [
        s + " at " + mails[i].message["Subject"].split(" at ")[1] for i, s in enumerate(
            ["Device fault / 设备故障", "Storage low / 存储空间不足",
             "Spoof suspected / 疑似假体攻击"])]
    digest = mails[3].message
    assert "17 more alerts" in digest["Subject"]
    text = text_of(digest)
    assert "problem 3" in text and "problem 19" in text and "problem 2\n" not in text
    assert "Device fault / 设备故障 ×6" in text
    raise_alert(terminal, AlertKind.DEVICE_FAULT, "after the digest")
    assert mailer.run_once() == 1  # single mails again
    assert len(box.wait_for(5)) == 5


def test_a_digest_owed_before_a_restart_is_still_sent(terminal: Terminal,
                                                      inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    config = plain(port, max_per_window=2, window_seconds=3600)
    first = AlertMailer(terminal, config)
    first.state()
    for i in range(10):
        raise_alert(terminal, AlertKind.STORAGE_LOW, f"disk {i}")
    assert first.run_once() == 2
    state = load_state(terminal.database.engine, STATE_NAME)
    assert state is not None and state.pending_after is not None
    assert AlertMailer(terminal, config).run_once() == 1  # the restarted one owes a digest
    assert AlertMailer(terminal, config).run_once() == 0
    mails = box.wait_for(3)
    assert "8 more alerts" in mails[2].message["Subject"]


def test_only_configured_kinds_are_mailed(terminal: Terminal, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    mailer = AlertMailer(terminal, plain(port, kinds=frozenset({"device_fault"})))
    mailer.state()
    raise_alert(terminal, AlertKind.STORAGE_LOW, "disk")
    raise_alert(terminal, AlertKind.DEVICE_FAULT, "relay stuck")
    assert mailer.run_once() == 1
    assert "relay stuck" in text_of(box.wait_for(1)[0].message)


def test_starttls_and_login(terminal: Terminal, tmp_path: Path) -> None:
    box = Inbox()
    context, cert = self_signed(tmp_path)
    controller = start_smtp(box, tls=context, credentials=("door7", "mail-secret"))
    try:
        config = MailConfig(host="127.0.0.1", port=controller.port, recipients=("a@example.com",),
                            username="door7", password="mail-secret", starttls=True,
                            cafile=str(cert), timeout_seconds=10)
        SmtpSender(config).send(trial_message(config, "door-7", "Gate"))
        (mail,) = box.wait_for(1)
        assert mail.tls and mail.login == "door7"
        assert mail.message["Subject"] == "[FaceGate Gate door-7] test mail / 测试邮件"

        wrong = dataclasses.replace(config, password="nope")
        with pytest.raises(MailError, match="refused the login for 'door7'"):
            SmtpSender(wrong).send(trial_message(wrong, "door-7", "Gate"))
        untrusted = dataclasses.replace(config, cafile=None)
        with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
            SmtpSender(untrusted).send(trial_message(untrusted, "door-7", "Gate"))
        cleartext = dataclasses.replace(config, starttls=False)
        with pytest.raises(MailError):  # the server insists on TLS before the login
            SmtpSender(cleartext).send(trial_message(cleartext, "door-7", "Gate"))
        assert len(box.mails) == 1
        remote = dataclasses.replace(cleartext, host="mail.example.com")
        with pytest.raises(MailError, match="refusing to send the password"):
            SmtpSender(remote).send(trial_message(remote, "door-7", "Gate"))
    finally:
        controller.stop()


def test_a_stuck_mail_server_never_slows_the_door(terminal: Terminal, data_dir: Path) -> None:
    with socket.socket() as stuck:  # accepts connections (backlog), never says a word
        stuck.bind(("127.0.0.1", 0))
        stuck.listen(8)
        config = plain(stuck.getsockname()[1], timeout_seconds=2)
        mailer = AlertMailer(terminal, config)
        mailer.start()
        start = mailer.state().position
        try:
            slowest = 0.0
            base = time.time()
            for i in range(4):
                began = time.monotonic()
                assert stranger(terminal, data_dir, now=base + 31 * i) is not None
                slowest = max(slowest, time.monotonic() - began)
            assert slowest < 1.0, f"a door decision took {slowest:.2f} s"
            deadline = time.monotonic() + 10
            while mailer.last_error is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert mailer.last_error is not None and "cannot send mail" in mailer.last_error
            assert mailer.state().position == start  # nothing marked as mailed
        finally:
            mailer.stop(timeout=5)


def test_mail_settings_come_from_the_environment() -> None:
    assert mail_config_from_env({}) is None
    config = mail_config_from_env({
        "FACEGATE_SMTP_HOST": "smtp.example.com", "FACEGATE_SMTP_USER": "door@example.com",
        "FACEGATE_SMTP_PASSWORD": "pw", "FACEGATE_MAIL_TO": "a@example.com, b@example.com",
        "FACEGATE_MAIL_MAX_PER_WINDOW": "2", "FACEGATE_MAIL_KINDS": "unknown_face"})
    assert config is not None
    assert (config.port, config.starttls, config.ssl, config.sender) == (
        587, True, False, "door@example.com")
    assert config.recipients == ("a@example.com", "b@example.com")
    assert config.kinds == {"unknown_face"} and config.max_per_window == 2
    smtps = mail_config_from_env({"FACEGATE_SMTP_HOST": "h", "FACEGATE_MAIL_TO": "a@b",
                                  "FACEGATE_SMTP_SSL": "1"})
    assert smtps is not None and (smtps.port, smtps.starttls, smtps.ssl) == (465, False, True)
    with pytest.raises(BadInput, match="FACEGATE_MAIL_TO"):
        mail_config_from_env({"FACEGATE_SMTP_HOST": "h"})
    with pytest.raises(BadInput, match="unknown"):
        mail_config_from_env({"FACEGATE_SMTP_HOST": "h", "FACEGATE_MAIL_TO": "a@b",
                              "FACEGATE_MAIL_KINDS": "fire"})
