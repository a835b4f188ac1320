"""A mail backend for tests that send from several threads: it records every message (like
Django's locmem backend, which keeps its list per thread's test state) and can be made slow,
like a mail server that takes its time to answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class SlowBackend(BaseEmailBackend):
    sent: list[EmailMessage] = []
    delay = 0.0
    lock = threading.Lock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(type(self).delay)
        with type(self).lock:
            type(self).sent.extend(email_messages)
        return len(email_messages)

    @classmethod
    def reset(cls, delay: float = 0.0) -> None:
        cls.sent = []
        cls.delay = delay
