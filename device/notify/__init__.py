"""Alert notification: AlertRaised events (unknown faces, spoof suspicions, device faults,
storage warnings) mailed over SMTP, rate-limited, from a thread of its own.

    mailer = AlertMailer(terminal, mail_config_from_env())
    mailer.start()
"""

from device.notify.config import MailConfig, mail_config_from_env
from device.notify.mailer import AlertMailer
from device.notify.message import AlertNotice, alert_message, digest_message, trial_message
from device.notify.sender import MailError, SmtpSender

__all__ = ["AlertMailer", "AlertNotice", "MailConfig", "MailError", "SmtpSender",
           "alert_message", "digest_message", "mail_config_from_env", "trial_message"]
