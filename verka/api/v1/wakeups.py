"""Wake-ups for long-polling job activations: on PostgreSQL one LISTEN connection per web
process (channel 'verka_jobs', notified by the engine when it creates a job) is shared by every
waiting request, so a hundred waiting workers cost one connection, not a hundred."""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)

CHANNEL = "verka_jobs"
# The listener looks up from the socket this often to notice that it should stop.
LISTEN_SLICE = 1.0


class JobWakeups:
    """`generation()` counts notifications; `wait(seen, timeout)` returns as soon as it moved on
    from `seen` (or the timeout passes). Take `seen` before looking for jobs, and a job created
    in between is not missed."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._generation = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def generation(self) -> int:
        with self._changed:
            return self._generation

    def listening(self, connection_params: dict[str, Any]) -> bool:
        """Start the listener if it isn't running; False if LISTEN is unavailable (poll then)."""
        with self._changed:
            if self._thread is not None and self._thread.is_alive():
                return True
            try:
                import psycopg

                conn = psycopg.connect(**connection_params, autocommit=True)
                conn.execute(f"LISTEN {CHANNEL}")
            except Exception as error:  # waking early is an optimisation; polling still works
                log.warning("LISTEN unavailable, polling", extra={"error": type(error).__name__})
                return False
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._listen, args=(conn, self._stop), name="verka-job-wakeups", daemon=True
            )
            self._thread.start()
            return True

    def _listen(self, conn: Any, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                received = sum(1 for _ in conn.notifies(timeout=LISTEN_SLICE))
                if received:
                    self._bump()
        except Exception as error:
            log.warning("LISTEN connection lost", extra={"error": type(error).__name__})
        finally:
            conn.close()
            self._bump()  # waiters look again (and poll) rather than sleep on a dead listener

    def _bump(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._generation != seen, timeout)

    def close(self) -> None:
        """Stop listening and close the connection (tests do this before dropping their
        database; a running server keeps listening for its lifetime)."""
        with self._changed:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None:
            thread.join(timeout=LISTEN_SLICE * 3)


wakeups = JobWakeups()
