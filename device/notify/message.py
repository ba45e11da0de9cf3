"""The mails: one per alert (with its snapshot), a digest of suppressed ones, a test mail."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from device.notify.config import MailConfig

LABELS = {
    "unknown_face": "Unknown face / 陌生人",
    "spoof_suspected": "Spoof suspected / 疑似假体攻击",
    "device_fault": "Device fault / 设备故障",
    "storage_low": "Storage low / 存储空间不足",
}
DIGEST_LINES = 50


@dataclass(frozen=True)
class AlertNotice:
    alert_id: str
    kind: str
    detail: str
    time: float
    position: int
    snapshot: bytes | None = None


def alert_message(config: MailConfig, device_id: str, device_name: str,
                  notice: AlertNotice) -> EmailMessage:
    label = LABELS.get(notice.kind, notice.kind)
    message = _message(config, f"[FaceGate {device_name} {device_id}] {label} "
                               f"at {_when(notice.time)}")
    message.set_content(
        f"{label}\n\n"
        f"Device: {device_name} ({device_id})\n"
        f"Time:   {_when(notice.time)}\n"
        f"Detail: {notice.detail}\n"
        f"Alert:  {notice.alert_id}\n\n"
        + ("The snapshot is attached.\n" if notice.snapshot else "No snapshot.\n")
        + "Mark it handled on the device's admin page (/admin).\n")
    if notice.snapshot:
        message.add_attachment(notice.snapshot, maintype="image", subtype="jpeg",
                               filename=f"alert-{notice.alert_id}.jpg")
    return message


def digest_message(config: MailConfig, device_id: str, device_name: str,
                   notices: list[AlertNotice]) -> EmailMessage:
    counts = Counter(n.kind for n in notices)
    summary = ", ".join(f"{LABELS.get(k, k)} ×{n}" for k, n in counts.most_common())
    first, last = notices[0].time, notices[-1].time
    message = _message(config, f"[FaceGate {device_name} {device_id}] {len(notices)} more "
                               f"alerts ({summary})")
    lines = [f"{_when(n.time)}  {LABELS.get(n.kind, n.kind)}  {n.detail}"
             for n in notices[:DIGEST_LINES]]
    if len(notices) > DIGEST_LINES:
        lines.append(f"... and {len(notices) - DIGEST_LINES} more")
    message.set_content(
        f"{len(notices)} alerts between {_when(first)} and {_when(last)} were not mailed one "
        f"by one (at most {config.max_per_window} mails every "
        f"{config.window_seconds:g} s).\n\n{summary}\n\n" + "\n".join(lines)
        + "\n\nSnapshots are on the device's admin page (/admin).\n")
    return message


def trial_message(config: MailConfig, device_id: str, device_name: str) -> EmailMessage:
    message = _message(config, f"[FaceGate {device_name} {device_id}] test mail / 测试邮件")
    message.set_content("Alert mail from this FaceGate door works.\n")
    return message


def _message(config: MailConfig, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="facegate.local")
    return message


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).astimezone().isoformat(sep=" ",
                                                                      timespec="seconds")
