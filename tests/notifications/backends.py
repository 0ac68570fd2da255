"""E-mail backends for the notification tests."""

import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down: every send raises a transient error."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


class SlowFileBackend(FileBackend):
    """The file backend with an SMTP-like dialogue before the message is accepted.

    A real SMTP send spends its time in the dialogue before the final "250 OK". While a process
    is in that dialogue it keeps a marker file `<EMAIL_FILE_PATH>.sending/<pid>` holding the time
    the dialogue started, so a test can kill the worker while sends are in progress (before the
    backend accepted them).
    """

    delay = 0.25

    def write_message(self, message):
        markers = Path(f"{self.file_path}.sending")
        markers.mkdir(exist_ok=True)
        marker = markers / str(os.getpid())
        marker.write_text(repr(time.time()))
        time.sleep(self.delay)
        marker.unlink()
        super().write_message(message)
