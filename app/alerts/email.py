"""Mail channels: a multipart (plain text and HTML) mail per message over SMTP, with STARTTLS,
TLS or neither, logging in when a user is configured.

The Message-ID comes from the message's idempotency key, so a mail sent again after a crash
or a lost answer is the same mail to the receiving server and to threading mail clients.
"""

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from app.alerts.content import Content
from app.alerts.failures import describe
from app.alerts.render import html_body, subject, text_body


def recipients(target: str) -> list[str]:
    """The addresses of an email channel's comma-separated target."""
    return [address.strip() for address in target.split(",") if address.strip()]


def message_id(key: str, sender: str) -> str:
    """The stable Message-ID of a message, in the sender's domain."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{key}@{domain}>"


def build_mail(content: Content, target: str, smtp: dict, now: datetime) -> EmailMessage:
    """The mail for a message: headers, then the text part with the HTML alternative."""
    mail = EmailMessage()
    mail["Subject"] = subject(content)
    mail["From"] = smtp["from"]
    mail["To"] = ", ".join(recipients(target))
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message_id(content.key, smtp["from"])
    mail["X-Faultline-Delivery"] = content.key
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(text_body(content))
    mail.add_alternative(html_body(content), subtype="html")
    return mail


def send_mail(mail: EmailMessage, smtp: dict, timeout: float) -> tuple[bool, str]:
    """Hand a mail to the configured server; (accepted, a short outcome such as "250 OK",
    "connection refused" or "SMTP 451")."""
    if not smtp["host"]:
        return False, "no SMTP host configured (alerts.smtp.host)"
    try:
        if smtp["security"] == "tls":
            client = smtplib.SMTP_SSL(
                smtp["host"], smtp["port"], timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(smtp["host"], smtp["port"], timeout=timeout)
        with client:
            if smtp["security"] == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp["user"]:
                client.login(smtp["user"], smtp["password"])
            refused = client.send_message(mail)
    except smtplib.SMTPRecipientsRefused:
        return False, "SMTP recipients refused"
    except smtplib.SMTPResponseException as error:
        return False, f"SMTP {error.smtp_code}"
    except (smtplib.SMTPException, OSError) as error:
        return False, describe(error)
    if refused:
        return True, f"250 OK, {len(refused)} recipient(s) refused"
    return True, "250 OK"
