"""The worker loop: polls every registered work source until told to stop.

Apps register work sources (due jobs, due timers, outgoing webhooks …) with `register`; the loop
asks each for a batch, sleeps with a growing back-off while nothing is due, and wakes early when a
source's `wait` returns (PostgreSQL LISTEN/NOTIFY). Stopping is cooperative: the current batch
finishes, so a stop never abandons work half-done; a kill is covered by leases that expire.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from .models import WorkerHeartbeat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkSource:
    """Something a worker polls. `poll(worker_name)` does up to one batch and returns its size."""

    name: str
    poll: Callable[[str], int]


_SOURCES: dict[str, WorkSource] = {}


def register(source: WorkSource) -> None:
    _SOURCES[source.name] = source


def load_worker_modules() -> None:
    """Import the modules named in VERKA_WORKER_MODULES: they register job handlers."""
    import importlib

    from django.conf import settings

    for name in settings.VERKA_WORKER_MODULES:
        importlib.import_module(name)


def registered_sources() -> list[WorkSource]:
    return list(_SOURCES.values())


@dataclass
class Worker:
    name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    idle_min: float = 0.05
    idle_max: float = 1.0
    # After a pass with less work than `full_pass` items, or a wake-up, wait this long (seconds)
    # before the next pass. Under load this turns many one-job transactions into few batches
    # (the worker's cost per job halves at a few hundred jobs a second); it adds at most this
    # much to a job's latency.
    gather: float = 0.01
    full_pass: int = 10
    heartbeat_every: float = 5.0
    stop_event: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], datetime] = timezone.now
    processed: int = 0

    def stop(self) -> None:
        # A wait on LISTEN ends within idle_max, so stopping takes at most that long.
        self.stop_event.set()

    def run(self) -> None:
        log.info("worker started", extra={"worker": self.name, "sources": list(_SOURCES)})
        from .wakeup import Wakeup

        started = self.clock()
        self._try_beat(started, started)
        idle = self.idle_min
        last_beat = started
        # Sources that found nothing rest for idle_min while others keep the worker busy, so
        # a stream of jobs is not slowed by asking the quiet sources on every pass.
        resting: dict[str, float] = {}
        wakeup = Wakeup(self.stop_event)
        try:
            while not self.stop_event.is_set():
                done = self.run_once(resting=resting)
                now = self.clock()
                if (now - last_beat).total_seconds() >= self.heartbeat_every:
                    self._try_beat(started, now)
                    last_beat = now
                if done:
                    idle = self.idle_min
                    if done < self.full_pass:
                        # A thin pass: let the next jobs gather for a moment, so that one
                        # lease and one commit serve several of them instead of one each.
                        self.stop_event.wait(self.gather)
                    continue
                if wakeup.wait(idle):
                    self.stop_event.wait(self.gather)  # woken by new work: let it gather too
                idle = min(idle * 2, self.idle_max)
        finally:
            wakeup.close()
            now = self.clock()
            from verka.processes import rows

            with rows.write_transaction():
                WorkerHeartbeat.objects.filter(name=self.name).update(
                    stopped_at=now, last_seen_at=now, processed=self.processed
                )
            log.info("worker stopped", extra={"worker": self.name, "processed": self.processed})

    def run_once(self, resting: dict[str, float] | None = None) -> int:
        """One pass over every source; returns how many items were processed. With `resting`
        (source name: monotonic time), a source found empty is skipped until its time has
        come; the loop passes its own."""
        close_old_connections()
        done = 0
        now = time.monotonic()
        for source in registered_sources():
            if resting is not None and resting.get(source.name, 0.0) > now:
                continue
            found = 0
            try:
                found = source.poll(self.name)
            except Exception:
                # A failing source must not stop the others; its items stay due and are retried.
                log.exception("work source failed", extra={"source": source.name})
            if resting is not None:
                resting[source.name] = 0.0 if found else now + self.idle_min
            done += found
        self.processed += done
        return done

    def _try_beat(self, started: datetime, now: datetime) -> None:
        try:
            self._beat(started, now)
        except DatabaseError:
            # A heartbeat that could not be written (the database busy, a lost connection) is
            # written on the next one; the work goes on.
            log.warning("worker heartbeat not written", exc_info=True)

    def _beat(self, started: datetime, now: datetime) -> None:
        from verka.processes import rows

        # In its writer's turn on SQLite: a writer that waits for SQLite's own busy handler
        # instead can lose to the engine's writers for longer than the busy timeout.
        with rows.write_transaction():
            self._write_beat(started, now)

    def _write_beat(self, started: datetime, now: datetime) -> None:
        WorkerHeartbeat.objects.update_or_create(
            name=self.name,
            defaults={
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": started,
                "last_seen_at": now,
                "processed": self.processed,
                "stopped_at": None,
            },
        )
