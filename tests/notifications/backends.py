"""E-mail backends for the notification tests."""

import smtplib
import time

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down: every send raises a transient error."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


class SlowFileBackend(FileBackend):
    """The file backend with an SMTP-like dialogue delay before the message is accepted.

    A real SMTP send spends its time in the dialogue before the final "250 OK"; this makes a
    SIGKILL land mostly *before* acceptance, as it would in production.
    """

    delay = 0.02

    def write_message(self, message):
        time.sleep(self.delay)
        super().write_message(message)
