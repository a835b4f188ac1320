"""Waking idle workers as soon as new work is committed.

PostgreSQL: commands that create jobs send `pg_notify('verka_jobs', type)`; PostgreSQL delivers
it at commit to the workers that LISTEN.

SQLite (one machine): each worker binds a Unix datagram socket in a folder that belongs to the
database file; a command that created jobs sends one byte to every socket there once it has
committed (`nudge_after_commit`). A worker that is busy or gone misses nothing: the nudge only
cuts short its idle back-off, and polling still finds every job.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import select
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.db import connection, transaction

log = logging.getLogger(__name__)
CHANNEL = "verka_jobs"


class Wakeup:
    """`wait(timeout)` returns early when a notification arrives (or the worker is stopped)."""

    def __init__(self, stop_event: threading.Event) -> None:
        self.stop_event = stop_event
        self._conn: Any = None
        self._socket: socket.socket | None = None
        self._socket_path: Path | None = None
        try:
            if connection.vendor == "postgresql":
                self._conn = self._listen()
            elif connection.vendor == "sqlite":
                self._bind()
        except Exception as error:  # polling still works; waking early is an optimisation
            log.warning("wake-ups unavailable, polling", extra={"error": type(error).__name__})

    def _bind(self) -> None:
        folder = nudge_folder()
        if folder is None:
            return
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / f"{os.getpid()}-{threading.get_ident() % 100000}"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(str(path))
        self._socket, self._socket_path = sock, path
        # A worker that was killed left its socket behind; a nudge sweeps those away.
        _nudge(folder, but=path.name)

    @staticmethod
    def _listen() -> Any:
        import psycopg

        params = connection.get_connection_params()
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds; True if new work was announced meanwhile."""
        if self._socket is not None and not self.stop_event.is_set():
            return self._wait_for_nudge(self._socket, timeout)
        if self._conn is None or self.stop_event.is_set():
            self.stop_event.wait(timeout)
            return False
        try:
            for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                return True
        except Exception as error:
            log.warning("LISTEN connection lost, polling", extra={"error": type(error).__name__})
            self.close()
            self.stop_event.wait(timeout)
        return False

    @staticmethod
    def _wait_for_nudge(sock: socket.socket, timeout: float) -> bool:
        readable, _, _ = select.select([sock], [], [], timeout)
        if readable:
            # Several nudges may have come while the worker was busy: one poll answers all.
            with contextlib.suppress(BlockingIOError):
                while sock.recv(64):
                    pass
        return bool(readable)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._socket_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._socket_path.unlink()
            with contextlib.suppress(OSError):
                self._socket_path.parent.rmdir()  # the last worker out (fails if not)
            self._socket_path = None
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


def nudge_folder() -> Path | None:
    """Where the workers of this SQLite database keep their sockets: a short path (socket
    paths are limited to about a hundred bytes) named after the database file."""
    return _folder_of(str(connection.settings_dict["NAME"]))


@functools.cache
def _folder_of(database: str) -> Path | None:
    # Asked on every command that creates jobs: hashed once per database file.
    if not hasattr(socket, "AF_UNIX") or "memory" in database:
        return None
    digest = hashlib.sha256(os.path.abspath(database).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"verka-wake-{os.getuid()}-{digest}"


_sender = threading.local()


def nudge_after_commit() -> None:
    """SQLite: wake idle workers once the current transaction has committed (now if none)."""
    folder = nudge_folder()
    if folder is not None:
        transaction.on_commit(lambda: _nudge(folder))


def _nudge(folder: Path, but: str = "") -> None:
    try:
        names = os.listdir(folder)
    except OSError:
        return  # no worker has ever waited here
    sock = getattr(_sender, "socket", None)
    if sock is None:
        sock = _sender.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
    for name in names:
        if name == but:
            continue
        path = os.path.join(folder, name)
        try:
            sock.sendto(b"!", path)
        except (ConnectionRefusedError, FileNotFoundError):
            # A worker that died without closing its socket: nobody will read it again.
            with contextlib.suppress(OSError):
                os.unlink(path)
        except OSError:
            pass  # its queue is full (it is busy and will poll) or it is not ours to reach
