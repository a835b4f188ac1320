"""Waking idle workers as soon as new work is committed: PostgreSQL LISTEN/NOTIFY.

Commands that create jobs send `pg_notify('verka_jobs', type)`; PostgreSQL delivers it at commit.
On SQLite (one machine, few writers) workers simply poll with a short back-off.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connection

log = logging.getLogger(__name__)
CHANNEL = "verka_jobs"


class Wakeup:
    """`wait(timeout)` returns early when a notification arrives (or the worker is stopped)."""

    def __init__(self, stop_event: threading.Event) -> None:
        self.stop_event = stop_event
        self._conn: Any = None
        if connection.vendor == "postgresql":
            try:
                self._conn = self._listen()
            except Exception as error:  # polling still works; waking early is an optimisation
                log.warning("LISTEN unavailable, polling", extra={"error": type(error).__name__})

    @staticmethod
    def _listen() -> Any:
        import psycopg

        params = connection.get_connection_params()
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def wait(self, timeout: float) -> None:
        if self._conn is None or self.stop_event.is_set():
            self.stop_event.wait(timeout)
            return
        try:
            for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                break
        except Exception as error:
            log.warning("LISTEN connection lost, polling", extra={"error": type(error).__name__})
            self.close()
            self.stop_event.wait(timeout)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
