"""Sessions: their clocks start at login, and expired ones are deleted by the worker.

Django deletes an expired session only when asked (`clearsessions`); until then its row stays
in the database. Every worker asks at most once per VERKA_SESSION_CLEAR_MINUTES: deleting what
has expired is idempotent, so several workers doing it is harmless and needs no coordination.
"""

from __future__ import annotations

import logging
import time
from importlib import import_module
from typing import Any

from django.conf import settings

log = logging.getLogger("verka.accounts.session")

_last_clear: list[float] = []


def start_session(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        from .middleware import start

        start(request, user)


def clear_expired() -> int:
    """Delete expired sessions and failed-login counts whose cool-off has passed."""
    from .lockout import forget_old_attempts

    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return forget_old_attempts()


def clear_expired_now_and_then(worker_name: str) -> int:
    """The worker's work source: at most once per VERKA_SESSION_CLEAR_MINUTES per process."""
    every = 60 * int(getattr(settings, "VERKA_SESSION_CLEAR_MINUTES", 15))
    now = time.monotonic()
    if _last_clear and now - _last_clear[0] < every:
        return 0
    _last_clear[:] = [now]
    attempts = clear_expired()
    log.info("expired sessions cleared", extra={"worker": worker_name, "attempts": attempts})
    # Housekeeping, not work that should keep the worker polling at full speed.
    return 0
